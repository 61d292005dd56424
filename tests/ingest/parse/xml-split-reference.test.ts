/** splitEntries against the version before its one read of what follows `<` (kept here as the reference): the same split on random markup and on the corpus. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { XmlFormat } from '../../../src/ingest/parse/detect.js'
import { prepareXml } from '../../../src/ingest/parse/xml-repair.js'
import { type SplitFeed, splitEntries } from '../../../src/ingest/parse/xml-split.js'
import { CORPUS_DIR, corpusPresent, filesBelow } from '../../helpers/corpus.js'
import { seeded } from '../../helpers/random.js'

const ENTRY_NAME: Record<XmlFormat, string | undefined> = {
  rss: 'item',
  rdf: 'item',
  atom: 'entry',
  'atom-entry': undefined,
}

const FEED_DATES =
  /<((?:[\w.-]+:)?(?:lastBuildDate|pubDate|updated|published|modified|date))(\s[^>]*)?>[^<]*<\/\1\s*>/g

const past = (xml: string, close: string, from: number): number => {
  const i = xml.indexOf(close, from)
  return i < 0 ? -1 : i + close.length
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13

const tagAt = (xml: string, lt: number, name: string): 'open' | 'close' | undefined => {
  const closing = xml[lt + 1] === '/'
  const at = lt + (closing ? 2 : 1)
  if (!xml.startsWith(name, at)) return undefined
  const after = xml.charCodeAt(at + name.length)
  if (!(after === 62 || after === 47 || isSpace(after))) return undefined
  return closing ? 'close' : 'open'
}

/** splitEntries as it was (session 20). */
const reference = (xml: string, format: XmlFormat): SplitFeed | undefined => {
  const name = ENTRY_NAME[format]
  if (!name) return undefined
  const entries: { start: number; end: number }[] = []
  let entryStart = -1
  let sources = 0
  let i = 0
  for (;;) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) break
    if (xml.startsWith('<!--', lt)) i = past(xml, '-->', lt + 4)
    else if (xml.startsWith('<![CDATA[', lt)) i = past(xml, ']]>', lt + 9)
    else if (xml.startsWith('<?', lt)) i = past(xml, '?>', lt + 2)
    else if (xml.startsWith('<!', lt)) return undefined
    else {
      const gt = xml.indexOf('>', lt)
      if (gt < 0) return undefined
      const selfClosing = xml[gt - 1] === '/'
      const entryTag = tagAt(xml, lt, name)
      const sourceTag = entryStart >= 0 ? tagAt(xml, lt, 'source') : undefined
      if (sourceTag === 'open' && !selfClosing) sources++
      else if (sourceTag === 'close') sources = Math.max(0, sources - 1)
      else if (sources > 0) {
        // inside an entry's <source>
      } else if (entryTag === 'open') {
        if (entryStart >= 0) return undefined
        if (selfClosing) entries.push({ start: lt, end: gt + 1 })
        else entryStart = lt
      } else if (entryTag === 'close') {
        if (entryStart < 0) return undefined
        entries.push({ start: entryStart, end: gt + 1 })
        entryStart = -1
      } else if (entryStart < 0 && /^<\/?[\w.-]+:(?:item|entry)\b/.test(xml.slice(lt, lt + 64))) {
        return undefined
      }
      i = gt + 1
    }
    if (i < 0) return undefined
  }
  if (entryStart >= 0) return undefined
  let skeleton = ''
  let from = 0
  for (const e of entries) {
    skeleton += xml.slice(from, e.start)
    from = e.end
  }
  skeleton += xml.slice(from)
  const frame = skeleton.replace(FEED_DATES, '<$1$2></$1>').replace(/>\s+</g, '><')
  return { entries, skeleton, frame }
}

const PIECES = [
  '<item>',
  '</item>',
  '<item/>',
  '<item x="1">',
  '</item >',
  '<items>',
  '<entry>',
  '</entry>',
  '<source>',
  '</source>',
  '<source/>',
  '<rss:item>',
  '</a:entry>',
  '<title>t</title>',
  '<pubDate>d</pubDate>',
  '<a x="/>">',
  '</a>',
  '<!-- <item> -->',
  '<!--',
  '-->',
  '<![CDATA[</item><item>]]>',
  '<![CDATA[',
  ']]>',
  '<?pi <item>?>',
  '<?',
  '<!DOCTYPE a>',
  '<!x',
  '<',
  '>',
  '/',
  'text',
  '\n',
  ' ',
]

describe('splitEntries against the reference', () => {
  it('splits as the reference does on random markup, RSS and Atom', () => {
    const next = seeded(20)
    let split = 0
    for (let n = 0; n < 20_000; n++) {
      const len = 1 + (next() % 30)
      let xml = ''
      for (let k = 0; k < len; k++) xml += PIECES[next() % PIECES.length]
      for (const format of ['rss', 'atom'] as const) {
        const out = splitEntries(xml, format)
        expect(out, xml).toEqual(reference(xml, format))
        if (out && out.entries.length > 0) split++
      }
    }
    // The cases split documents with entries, not only give up.
    expect(split).toBeGreaterThan(200)
  })

  it.skipIf(!corpusPresent())(
    `splits as the reference does on every corpus feed${corpusPresent() ? '' : ' (no corpus: skipped)'}`,
    () => {
      for (const file of filesBelow(join(CORPUS_DIR, 'feeds'))) {
        const { xml } = prepareXml(readFileSync(file, 'latin1'))
        for (const format of ['rss', 'atom'] as const)
          expect(splitEntries(xml, format), file).toEqual(reference(xml, format))
      }
    },
  )
})
