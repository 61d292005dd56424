import { describe, expect, it } from 'vitest'
import { Parser } from 'yaml'
import { MAX_YAML_DEPTH, tooDeepAt } from '../../src/config/yaml-depth.js'

const tokens = (text: string) => [...new Parser().parse(text)]

describe('tooDeepAt', () => {
  it('finds no problem in a file within the limit, block and flow alike', () => {
    const flow = `a: ${'['.repeat(MAX_YAML_DEPTH - 1)}1${']'.repeat(MAX_YAML_DEPTH - 1)}\n`
    expect(tooDeepAt(tokens(flow))).toBeUndefined()
    expect(tooDeepAt(tokens('a:\n  b:\n    - c: [1, {d: 2}]\n'))).toBeUndefined()
    expect(tooDeepAt(tokens(''))).toBeUndefined()
  })

  it('points at the first collection past the limit, in document order', () => {
    // depth 1: the root map; `[` at offset 3 is depth 2, so the third `[` (offset 5) is depth 4
    expect(tooDeepAt(tokens('a: [[[1]]]\nb: [[[[2]]]]\n'), 3)).toBe(5)
    // a key can be a collection too
    expect(tooDeepAt(tokens('? [[1]]\n: x\n'), 2)).toBe(3)
  })

  it('counts block nesting by indentation as well as brackets', () => {
    const block = Array.from({ length: 10 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')
    const at = tooDeepAt(tokens(`${block} 1\n`), 5)
    expect(at).toBe(block.split('\n').slice(0, 5).join('\n').length + 1 + 5)
  })

  it('walks a hostile depth without recursion (200,000 levels)', () => {
    const deep = `x: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`
    expect(tooDeepAt(tokens(deep))).toBe(3 + MAX_YAML_DEPTH - 1)
  })
})
