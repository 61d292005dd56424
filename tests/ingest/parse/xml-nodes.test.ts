/**
 * textOf and attrOf read xml2js-shaped trees in place; the versions before them copied every
 * key or attribute first (Object.entries). The two must agree on any tree.
 */
import { describe, expect, it } from 'vitest'
import { attrOf, isRecord, nodesOf, textOf } from '../../../src/ingest/parse/xml-nodes.js'
import { belowOf } from '../../helpers/random.js'

/** textOf as it was: the parts of every key, from a copy of the keys and values. */
const textOfBefore = (node: unknown): string | undefined => {
  if (typeof node === 'string') return node
  if (typeof node === 'number' || typeof node === 'boolean') return String(node)
  if (!isRecord(node)) return undefined
  const parts: string[] = typeof node._ === 'string' ? [node._] : []
  for (const [k, v] of Object.entries(node)) {
    if (k === '$' || k === '_') continue
    for (const child of nodesOf(v)) {
      const t = textOfBefore(child)
      if (t) parts.push(t)
    }
  }
  return parts.length ? parts.join(' ') : undefined
}

/** attrOf as it was: from a copy of the element's string attributes. */
const attrOfBefore = (node: unknown, name: string): string | undefined => {
  const out: Record<string, string> = {}
  const a = isRecord(node) ? node.$ : undefined
  if (isRecord(a)) for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k] = v
  return out[name]?.trim() || undefined
}

const NAMES = ['href', 'rel', 'type', 'url', 'length', '_', '$', 'title', 'a:b']
const TEXTS = ['', ' ', 'Torkham', ' Doha ', '\n', 'x y']

const randomTree = (below: (n: number) => number, depth: number): unknown => {
  const r = below(10)
  if (depth === 0 || r < 3) return TEXTS[below(TEXTS.length)]
  if (r === 3) return below(2) ? 42 : true
  if (r === 4) return Array.from({ length: below(3) }, () => randomTree(below, depth - 1))
  if (r === 5) return below(2) ? null : undefined
  const node: Record<string, unknown> = below(2) ? Object.create(null) : {}
  if (below(2)) node._ = below(4) ? TEXTS[below(TEXTS.length)] : 7
  if (below(2)) {
    const attrs: Record<string, unknown> = below(2) ? Object.create(null) : {}
    for (let k = below(4); k > 0; k--)
      attrs[NAMES[below(NAMES.length)] as string] = below(5) ? TEXTS[below(TEXTS.length)] : 1
    node.$ = below(8) ? attrs : 'odd'
  }
  for (let k = below(4); k > 0; k--)
    node[NAMES[below(NAMES.length)] as string] = randomTree(below, depth - 1)
  return node
}

describe('textOf and attrOf, read in place', () => {
  it('agree with the copying versions on 20,000 random trees', () => {
    const below = belowOf(21)
    let texts = 0
    for (let n = 0; n < 20_000; n++) {
      const tree = randomTree(below, 4)
      const text = textOf(tree)
      expect(text).toBe(textOfBefore(tree))
      if (text) texts++
      for (const name of NAMES) expect(attrOf(tree, name)).toBe(attrOfBefore(tree, name))
    }
    expect(texts).toBeGreaterThan(5_000)
  })

  it('read an element with child text after its own, and a trimmed attribute', () => {
    expect(textOf({ _: 'a', b: [{ _: 'c' }, 'd'], $: { x: 'y' } })).toBe('a c d')
    expect(textOf({ _: '' })).toBe('')
    expect(textOf({ $: { x: 'y' } })).toBeUndefined()
    expect(attrOf({ $: { href: ' https://e.org/ ' } }, 'href')).toBe('https://e.org/')
    expect(attrOf({ $: { href: '  ' } }, 'href')).toBeUndefined()
    expect(attrOf({ $: { length: 5 } }, 'length')).toBeUndefined()
  })
})
