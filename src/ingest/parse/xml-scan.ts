/** A fast reader of plain, well-formed XML that gives sax's events, or gives up where sax might complain. */

/** What the scan reports, in sax's order (xml-tree.ts builds xml2js's tree from it). */
export interface XmlEvents {
  /** `attrs` is the receiver's to read, not to change (one object stands for no attributes). */
  open: (name: string, attrs: Record<string, string>) => void
  close: () => void
  text: (t: string) => void
  cdata: (t: string) => void
  /** True once the outcome is decided (the root closed): the rest of the document cannot change it. */
  settled: () => boolean
}

/**
 * The end of the ASCII XML name (`[:_A-Za-z][:_A-Za-z0-9.-]*`) at `from`, or -1 when none starts
 * there: sax accepts more, which then goes to sax. Read a character code at a time: names are a
 * few characters, and a sticky regex's call cost more than reading them (three a tag).
 */
const nameEnd = (xml: string, from: number): number => {
  if (!isNameStart(xml.charCodeAt(from))) return -1
  let k = from + 1
  while (isNameCode(xml.charCodeAt(k))) k++
  return k
}

/** `[:_A-Za-z]` (NaN, past the end, is none). */
const isNameStart = (c: number): boolean =>
  ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 58 || c === 95

/** `[:_A-Za-z0-9.-]`. */
const isNameCode = (c: number): boolean =>
  isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45

/** The entities strict sax knows (sax.XML_ENTITIES), written as sax reads them without a complaint. */
const ENTITIES: Readonly<Record<string, string>> = {
  __proto__: null,
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
} as unknown as Record<string, string>

/** sax's isXmlChar: a character reference to anything else is an error there. */
const isXmlChar = (n: number): boolean =>
  n === 0x9 ||
  n === 0xa ||
  n === 0xd ||
  (n >= 0x20 && n <= 0xd7ff) ||
  (n >= 0xe000 && n <= 0xfffd) ||
  (n >= 0x10000 && n <= 0x10ffff)

/** Character references sax reads (it lower-cases them first: `&#X4A;` is `&#x4a;`). */
const REFERENCE = /^#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}))$/

/** Text or an attribute value with its references replaced; undefined when sax would complain. */
const decode = (raw: string): string | undefined => {
  let amp = raw.indexOf('&')
  if (amp < 0) return raw
  let out = ''
  let from = 0
  while (amp >= 0) {
    const semi = raw.indexOf(';', amp + 1)
    if (semi < 0) return undefined
    const name = raw.slice(amp + 1, semi)
    let value = ENTITIES[name]
    if (value === undefined) {
      const m = REFERENCE.exec(name)
      if (!m) return undefined
      const n = m[1] === undefined ? Number.parseInt(m[2] ?? '', 16) : Number(m[1])
      if (!isXmlChar(n)) return undefined
      value = String.fromCodePoint(n)
    }
    out += raw.slice(from, amp) + value
    from = semi + 1
    amp = raw.indexOf('&', from)
  }
  return out + raw.slice(from)
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9

/**
 * Element and attribute names read before, by a hash of their length and end characters: a
 * document repeats a dozen names for every entry, and the tree keys its nodes by them. The one
 * string per name, made a property key once (internalised), spares every later key a lookup of a
 * new string in V8's string table, and a copy. A slot holds the last name that hashed to it;
 * a hit is checked character by character.
 */
const NAME_SLOTS: (string | undefined)[] = new Array(256).fill(undefined)

/** The longest name {@link nameOf} keeps (feeds' names are a few characters). */
const NAME_KEPT_MAX = 64

/** The string `xml.slice(from, to)` (a name), as the one read before when there was one. */
const nameOf = (xml: string, from: number, to: number): string => {
  const len = to - from
  // A long name (untrusted input) is neither kept nor made a key of V8's string table.
  if (len > NAME_KEPT_MAX) return xml.slice(from, to)
  const slot = (len * 31 + xml.charCodeAt(from) * 7 + xml.charCodeAt(to - 1)) & 255
  const known = NAME_SLOTS[slot]
  if (known !== undefined && known.length === len && xml.startsWith(known, from)) return known
  const name = internalised(xml.slice(from, to))
  NAME_SLOTS[slot] = name
  return name
}

/** `s` as V8's one copy of it that property keys use (what a key read back from an object is). */
const internalised = (s: string): string => Object.keys({ [s]: 0 })[0] as string

/**
 * The attributes of every element without any (most of a feed's): one object, read and never
 * written by the receivers of `open`, rather than one made per element.
 */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>

/** Attribute names sax's plain-object bookkeeping would trip on (it calls `attributes.hasOwnProperty`). */
const ODD_ATTRIBUTE = new Set(['__proto__', 'hasOwnProperty', 'constructor'])

/**
 * Reads `xml` (no byte order mark) into `events` the way strict sax, with xml2js's handlers, would:
 * the same elements, attributes (references replaced), text and CDATA, in the same order, up to the
 * root's end (xml2js's outcome is decided there). Returns false as soon as the document holds
 * anything outside the plain subset it knows sax reads without a complaint — a DOCTYPE, a name
 * beyond ASCII, an unknown entity, whitespace after `<`, unquoted or repeated attributes, a
 * malformed comment, text outside the root, a mismatched or missing end tag — and the caller then
 * starts again with sax. What it does read, it reads with `indexOf`, not a character at a time.
 * @example scanPlainXml('<a x="1">t</a>', events) // true: open('a', { x: '1' }), text('t'), close()
 */
export const scanPlainXml = (xml: string, events: XmlEvents): boolean => {
  if (xml.charCodeAt(0) === 0xfeff) return false
  const names: string[] = []
  const n = xml.length
  let i = 0
  for (;;) {
    const lt = xml.indexOf('<', i)
    const end = lt < 0 ? n : lt
    if (end > i) {
      const raw = xml.slice(i, end)
      if (names.length === 0) {
        // Outside the root only whitespace is quiet (sax: "Text data outside of root node").
        for (let k = 0; k < raw.length; k++) if (!isSpace(raw.charCodeAt(k))) return false
      } else {
        const t = decode(raw)
        if (t === undefined) return false
        events.text(t)
      }
    }
    if (lt < 0) return false // the root never closed
    const c = xml.charCodeAt(lt + 1)
    if (c === 47 /* / */) {
      // The name compared in place with the open one's (itself a name): the same name, and no
      // name character after it.
      const open = names.pop()
      if (
        open === undefined ||
        !xml.startsWith(open, lt + 2) ||
        isNameCode(xml.charCodeAt(lt + 2 + open.length))
      )
        return false
      let k = lt + 2 + open.length
      while (k < n && isSpace(xml.charCodeAt(k))) k++
      if (xml.charCodeAt(k) !== 62 /* > */) return false
      events.close()
      if (names.length === 0) return events.settled()
      i = k + 1
    } else if (c === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const close = xml.indexOf('-->', lt + 4)
        if (close < 0) return false
        const body = xml.slice(lt + 4, close)
        if (body.includes('--') || body.endsWith('-')) return false
        i = close + 3
      } else if (xml.startsWith('<![CDATA[', lt)) {
        if (names.length === 0) return false
        const close = xml.indexOf(']]>', lt + 9)
        if (close < 0) return false
        // sax reports no empty section (and so xml2js does not mark the element as CDATA).
        if (close > lt + 9) events.cdata(xml.slice(lt + 9, close))
        i = close + 3
      } else return false
    } else if (c === 63 /* ? */) {
      if (names.length > 0) return false
      const close = xml.indexOf('?>', lt + 2)
      // sax reads `??>` as a question mark and text: the instruction goes on.
      if (close < 0 || (close > lt + 2 && xml.charCodeAt(close - 1) === 63)) return false
      i = close + 2
    } else {
      let k = nameEnd(xml, lt + 1)
      if (k < 0) return false
      const name = nameOf(xml, lt + 1, k)
      let attrs = NO_ATTRIBUTES
      let selfClosing = false
      for (;;) {
        const at = k
        while (k < n && isSpace(xml.charCodeAt(k))) k++
        const d = xml.charCodeAt(k)
        if (d === 62 /* > */) break
        if (d === 47 /* / */) {
          if (xml.charCodeAt(k + 1) !== 62) return false
          selfClosing = true
          k++
          break
        }
        // sax wants whitespace between a name or value and the next attribute.
        if (k === at) return false
        const attrEnd = nameEnd(xml, k)
        if (attrEnd < 0) return false
        const attr = nameOf(xml, k, attrEnd)
        if (ODD_ATTRIBUTE.has(attr) || Object.hasOwn(attrs, attr)) return false
        if (attrs === NO_ATTRIBUTES) attrs = {}
        k = attrEnd
        while (k < n && isSpace(xml.charCodeAt(k))) k++
        if (xml.charCodeAt(k) !== 61 /* = */) return false
        k++
        while (k < n && isSpace(xml.charCodeAt(k))) k++
        const q = xml.charCodeAt(k)
        if (q !== 34 && q !== 39) return false
        const close = xml.indexOf(q === 34 ? '"' : "'", k + 1)
        if (close < 0) return false
        const value = decode(xml.slice(k + 1, close))
        if (value === undefined) return false
        attrs[attr] = value
        k = close + 1
      }
      events.open(name, attrs)
      if (selfClosing) {
        events.close()
        if (names.length === 0) return events.settled()
      } else names.push(name)
      i = k + 1
    }
  }
}
