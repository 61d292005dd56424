/** Finds the entries of an XML feed as raw text (pure), so entries seen before can skip the parser. */
import type { XmlFormat } from './detect.js'

/** One entry element as it stands in the document: `xml.slice(start, end)`. */
export interface RawEntry {
  start: number
  end: number
}

/** The entries of a document and the document without them. */
export interface SplitFeed {
  entries: RawEntry[]
  /** The document with every entry cut out (what is left: the feed's own elements). */
  skeleton: string
  /**
   * The skeleton without the text of its date elements (lastBuildDate, pubDate, updated…, which
   * change with every version): what an entry is read against (namespaces, xml:base, the feed's
   * link and language, in tags and text).
   */
  frame: string
}

const ENTRY_NAME: Record<XmlFormat, string | undefined> = {
  rss: 'item',
  rdf: 'item',
  atom: 'entry',
  'atom-entry': undefined,
}

/** Date elements of a feed's own frame, with their text (which changes with every version). */
const FEED_DATES =
  /<((?:[\w.-]+:)?(?:lastBuildDate|pubDate|updated|published|modified|date))(\s[^>]*)?>[^<]*<\/\1\s*>/g

/** Index just past `close` from `from`, or -1. */
const past = (xml: string, close: string, from: number): number => {
  const i = xml.indexOf(close, from)
  return i < 0 ? -1 : i + close.length
}

/**
 * Splits an XML feed (after xml-repair's preparation) into its entry elements: `<item>` for RSS
 * 0.9x/2.0 and RDF, `<entry>` for Atom, unprefixed. Comments, CDATA sections and processing
 * instructions are skipped over, and so is anything inside an entry's `<source>` (an entry copied
 * with the feed it came from is one entry). Returns undefined whenever the document is not plainly
 * a list of entries (a prefixed or nested entry element, an entry that is never closed, an Atom
 * entry document): the caller then parses the whole document, which is always correct.
 * @example splitEntries(xml, 'rss')?.entries.length // 50
 */
export const splitEntries = (xml: string, format: XmlFormat): SplitFeed | undefined => {
  const name = ENTRY_NAME[format]
  if (!name) return undefined
  const entries: RawEntry[] = []
  let entryStart = -1
  /** How many `<source>` elements of the current entry are open. */
  let sources = 0
  let i = 0
  for (;;) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) break
    // What follows `<` read once (a tag, nearly always), not four prefixes tried in turn.
    const after = xml.charCodeAt(lt + 1)
    if (after === 33 /* ! */) {
      if (xml.startsWith('--', lt + 2)) i = past(xml, '-->', lt + 4)
      else if (xml.startsWith('[CDATA[', lt + 2)) i = past(xml, ']]>', lt + 9)
      else return undefined // a DOCTYPE left in: not our business
    } else if (after === 63 /* ? */) i = past(xml, '?>', lt + 2)
    else {
      const gt = xml.indexOf('>', lt)
      if (gt < 0) return undefined
      const selfClosing = xml.charCodeAt(gt - 1) === 47 /* / */
      const entryTag = tagAt(xml, lt, name)
      const sourceTag = entryStart >= 0 ? tagAt(xml, lt, 'source') : undefined
      if (sourceTag === 'open' && !selfClosing) sources++
      else if (sourceTag === 'close') sources = Math.max(0, sources - 1)
      else if (sources > 0) {
        // Inside an entry's <source> (the feed it was copied from): an entry there is part of
        // the outer entry, not one of ours.
      } else if (entryTag === 'open') {
        if (entryStart >= 0) return undefined // nested
        if (selfClosing) entries.push({ start: lt, end: gt + 1 })
        else entryStart = lt
      } else if (entryTag === 'close') {
        if (entryStart < 0) return undefined
        entries.push({ start: entryStart, end: gt + 1 })
        entryStart = -1
      } else if (entryStart < 0 && /^<\/?[\w.-]+:(?:item|entry)\b/.test(xml.slice(lt, lt + 64))) {
        return undefined // a prefixed entry element (rss:item, atom:entry): leave it to the parser
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
  // Whitespace between tags (where entries were) and date texts do not change how entries read.
  const frame = skeleton.replace(FEED_DATES, '<$1$2></$1>').replace(/>\s+</g, '><')
  return { entries, skeleton, frame }
}

/**
 * The skeleton with the given entries put back where they were (in document order), as one
 * document for the parser.
 */
export const withEntries = (xml: string, split: SplitFeed, keep: readonly RawEntry[]): string => {
  if (keep.length === split.entries.length) return xml
  const wanted = new Set(keep)
  let out = ''
  let from = 0
  for (const e of split.entries) {
    out += xml.slice(from, e.start)
    if (wanted.has(e)) out += xml.slice(e.start, e.end)
    from = e.end
  }
  return out + xml.slice(from)
}

/** Whether the tag at `lt` opens or closes an element named exactly `name` (no prefix). */
const tagAt = (xml: string, lt: number, name: string): 'open' | 'close' | undefined => {
  const closing = xml.charCodeAt(lt + 1) === 47 /* / */
  const at = lt + (closing ? 2 : 1)
  if (!xml.startsWith(name, at)) return undefined
  const after = xml.charCodeAt(at + name.length)
  if (!(after === 62 /* > */ || after === 47 /* / */ || isSpace(after))) return undefined
  return closing ? 'close' : 'open'
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13
