/** Caps how deep XML elements nest before any parser sees them (pure, one iterative scan). */

/**
 * The deepest element nesting handed to the parser. Feeds nest 3-4 levels and their xhtml content
 * a few dozen at most; past this, xml2js's validator path grows with every level (quadratic time)
 * and rss-parser's xml2js builder recurses once per level (a stack overflow at a few thousand).
 */
export const MAX_XML_DEPTH = 100

/** The document with elements below the cap removed, and what was done (for `recovered`). */
export interface DepthCapped {
  xml: string
  /** A sentence for the feed's "recovered from", when something was cut. */
  note?: string
}

const isNameStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127

/**
 * End of the tag that starts at `lt` (the index of its `>`), skipping quoted attribute values; -1 if
 * open. Read a character at a time up to its `>` (tags are short): a tag without quotes ends at its
 * first `>`, one with a quote before that is read quote by quote.
 */
const tagEnd = (xml: string, lt: number): number => {
  const n = xml.length
  for (let i = lt + 1; i < n; i++) {
    const c = xml.charCodeAt(i)
    if (c === 62) return i
    if (c === 34 || c === 39) return quotedTagEnd(xml, i)
  }
  return -1
}

/** {@link tagEnd} from the first quote of a tag (at `from`): `>` counts only outside quotes. */
const quotedTagEnd = (xml: string, from: number): number => {
  let quote = 0
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i)
    if (quote) {
      if (c === quote) quote = 0
    } else if (c === 34 || c === 39) quote = c
    else if (c === 62) return i
  }
  return -1
}

/** Index just past the element name of a start or end tag's text that starts at `from`. */
const nameEnd = (xml: string, from: number): number => {
  let i = from
  while (i < xml.length) {
    const c = xml.charCodeAt(i)
    if (c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13) break
    i++
  }
  return i
}

/** The element name of a start or end tag's text (`<a:b x="1">` → `a:b`). */
const nameAt = (xml: string, from: number): string => xml.slice(from, nameEnd(xml, from))

/**
 * Removes the start and end tags of elements nested deeper than `maxDepth`, keeping their text,
 * so that no parser or tree walk downstream meets untrusted depth. Nesting is followed as a
 * lenient parser would: an end tag closes the nearest open element of its name (and those inside
 * it), an end tag matching no open element closes nothing. Comments, CDATA sections, processing
 * instructions and declarations are copied as they are. The text is returned unchanged (the same
 * string) when nothing nests that deep.
 * @example capXmlDepth('<a><b><c>x</c></b></a>', 2).xml // '<a><b>x</b></a>'
 */
export const capXmlDepth = (xml: string, maxDepth = MAX_XML_DEPTH): DepthCapped => {
  const open: string[] = []
  /** Elements open below the cap, whose tags are removed. */
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
    const after = xml.charCodeAt(lt + 1)
    if (after === 33 /* ! */) {
      if (xml.startsWith('--', lt + 2)) next = endOf(xml, '-->', lt + 4)
      else if (xml.startsWith('[CDATA[', lt + 2)) next = endOf(xml, ']]>', lt + 9)
      else next = endOf(xml, '>', lt + 2)
    } else if (after === 63 /* ? */) next = endOf(xml, '?>', lt + 2)
    else {
      const closing = after === 47
      const nameFrom = closing ? lt + 2 : lt + 1
      if (!isNameStart(xml.charCodeAt(nameFrom))) {
        i = lt + 1 // a lone '<' is text to a lenient parser
        continue
      }
      const gt = tagEnd(xml, lt)
      if (gt < 0) break
      next = gt + 1
      if (closing) {
        // The end tag of the innermost element, with none below the cap open (nearly every one):
        // compared in place.
        const top = open[open.length - 1]
        if (
          below.length === 0 &&
          top !== undefined &&
          xml.startsWith(top, nameFrom) &&
          nameEnd(xml, nameFrom) === nameFrom + top.length
        ) {
          open.length--
          i = next
          continue
        }
        const name = nameAt(xml, nameFrom)
        if (below.length > 0 && below[below.length - 1] === name) {
          below.pop()
          drop(lt, next)
        } else {
          // Searching the kept levels costs at most `maxDepth`; the levels below are not searched
          // (that would be quadratic): an end tag that closes a kept element closes them all, and
          // one that matches nothing open closes the innermost.
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

/** Index just past `close` from `from`, or -1 when it never comes. */
const endOf = (xml: string, close: string, from: number): number => {
  const i = xml.indexOf(close, from)
  return i < 0 ? -1 : i + close.length
}

const lineAt = (xml: string, index: number): number => {
  let line = 1
  for (let i = xml.indexOf('\n'); i >= 0 && i < index; i = xml.indexOf('\n', i + 1)) line++
  return line
}
