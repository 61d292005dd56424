/** capXmlDepth against the version before its in-place end tags (kept here as the reference): the same output on random markup and on the corpus. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { capXmlDepth, type DepthCapped } from '../../../src/ingest/parse/xml-depth.js'
import { prepareXml } from '../../../src/ingest/parse/xml-repair.js'
import { CORPUS_DIR, corpusPresent, filesBelow } from '../../helpers/corpus.js'

const isNameStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127

const tagEnd = (xml: string, lt: number): number => {
  const gt = xml.indexOf('>', lt)
  if (gt < 0) return -1
  const head = xml.slice(lt, gt)
  if (!head.includes('"') && !head.includes("'")) return gt
  let quote = 0
  for (let i = lt; i < xml.length; i++) {
    const c = xml.charCodeAt(i)
    if (quote) {
      if (c === quote) quote = 0
    } else if (c === 34 || c === 39) quote = c
    else if (c === 62) return i
  }
  return -1
}

const nameAt = (xml: string, from: number): string => {
  let i = from
  while (i < xml.length) {
    const c = xml.charCodeAt(i)
    if (c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13) break
    i++
  }
  return xml.slice(from, i)
}

const endOf = (xml: string, close: string, from: number): number => {
  const i = xml.indexOf(close, from)
  return i < 0 ? -1 : i + close.length
}

const lineAt = (xml: string, index: number): number => {
  let line = 1
  for (let i = xml.indexOf('\n'); i >= 0 && i < index; i = xml.indexOf('\n', i + 1)) line++
  return line
}

/** capXmlDepth as it was (session 28). */
const reference = (xml: string, maxDepth: number): DepthCapped => {
  const open: string[] = []
  const below: string[] = []
  let cut = 0
  let firstCut = -1
  const parts: string[] = []
  let copied = 0
  const drop = (start: number, end: number): void => {
    if (firstCut < 0) firstCut = start
    cut++
    parts.push(xml.slice(copied, start))
    copied = end
  }
  let i = 0
  for (;;) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) break
    let next: number
    if (xml.startsWith('<!--', lt)) next = endOf(xml, '-->', lt + 4)
    else if (xml.startsWith('<![CDATA[', lt)) next = endOf(xml, ']]>', lt + 9)
    else if (xml.startsWith('<?', lt)) next = endOf(xml, '?>', lt + 2)
    else if (xml.startsWith('<!', lt)) next = endOf(xml, '>', lt + 2)
    else {
      const closing = xml.charCodeAt(lt + 1) === 47
      const nameFrom = closing ? lt + 2 : lt + 1
      if (!isNameStart(xml.charCodeAt(nameFrom))) {
        i = lt + 1
        continue
      }
      const gt = tagEnd(xml, lt)
      if (gt < 0) break
      next = gt + 1
      if (closing) {
        const name = nameAt(xml, nameFrom)
        if (below.length > 0 && below[below.length - 1] === name) {
          below.pop()
          drop(lt, next)
        } else {
          const at = open.lastIndexOf(name)
          if (at >= 0) {
            below.length = 0
            open.length = at
          } else if (below.length > 0) {
            below.pop()
            drop(lt, next)
          }
        }
      } else if (xml.charCodeAt(gt - 1) === 47) {
        if (open.length >= maxDepth) drop(lt, next)
      } else if (open.length >= maxDepth) {
        below.push(nameAt(xml, nameFrom))
        drop(lt, next)
      } else open.push(nameAt(xml, nameFrom))
    }
    if (next < 0) break
    i = next
  }
  if (cut === 0) return { xml }
  parts.push(xml.slice(copied))
  const line = lineAt(xml, firstCut)
  return {
    xml: parts.join(''),
    note: `markup nested deeper than ${maxDepth} elements: ${cut} tags below that depth removed, their text kept (from line ${line})`,
  }
}

/** A seeded generator (mulberry32): the same cases on every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const PIECES = [
  '<a>',
  '</a>',
  '<a >',
  '</a >',
  '</a\n>',
  '<b x="1>">',
  "<b y='>\"'>",
  '</b>',
  '<ab>',
  '</ab>',
  '<a/>',
  '<c x="/"/>',
  '</c>',
  '<x:y>',
  '</x:y>',
  '<!-- <a> -->',
  '<!--',
  '-->',
  '<![CDATA[<a></b>]]>',
  '<![CDATA[',
  ']]>',
  '<?pi <a>?>',
  '<!DOCTYPE a>',
  '<!x',
  '< a>',
  '<1>',
  '</>',
  '<',
  '>',
  '"',
  "'",
  '/',
  'text',
  '\n',
  ' ',
  '<é>',
  '</é>',
  '</a',
]

describe('capXmlDepth against the reference', () => {
  it('writes what the reference writes on random markup, at several caps', () => {
    const next = random(18)
    let cuts = 0
    for (let n = 0; n < 20_000; n++) {
      const len = 1 + Math.floor(next() * 40)
      let xml = ''
      for (let k = 0; k < len; k++) xml += PIECES[Math.floor(next() * PIECES.length)]
      const depth = 1 + Math.floor(next() * 4)
      const out = capXmlDepth(xml, depth)
      expect(out, xml).toEqual(reference(xml, depth))
      if (out.note) cuts++
    }
    // The cases reach the cap, not only the plain path.
    expect(cuts).toBeGreaterThan(2_000)
  })

  it.skipIf(!corpusPresent())(
    `writes what the reference writes on every corpus feed${corpusPresent() ? '' : ' (no corpus: skipped)'}`,
    () => {
      for (const file of filesBelow(join(CORPUS_DIR, 'feeds'))) {
        const { xml } = prepareXml(readFileSync(file, 'latin1'))
        for (const depth of [3, 100])
          expect(capXmlDepth(xml, depth), file).toEqual(reference(xml, depth))
      }
    },
  )
})
