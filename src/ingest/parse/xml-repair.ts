/** Cheap, safe text repairs that let a strict XML parser read what real feeds publish. */

/** Prepared XML and the repairs that were needed (human-readable, for `ParsedFeed.recovered`). */
export interface PreparedXml {
  xml: string
  recovered: string[]
}

/** Characters XML 1.0 forbids: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const INVALID_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Any character {@link INVALID_CHARS} could remove (surrogates paired or not): one class tested,
 * where the replace tried three alternatives, two with lookarounds, at every character. Most
 * feeds have none (and no character beyond U+FFFF either), and the replace is then not run.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
const MAY_BE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/

/** A DOCTYPE carrying an internal subset (`[...]`), where ENTITY declarations live. */
const DOCTYPE_SUBSET = /<!DOCTYPE\s[^[>]*\[[\s\S]*?\]\s*>/i

/** `&` that does not start a character or entity reference. */
const BARE_AMPERSAND = /&(?!(?:[A-Za-z_][\w.-]*|#\d+|#[xX][\da-fA-F]+);)/g

/**
 * Repairs applied before every parse: text or comments before the XML declaration are dropped,
 * a DOCTYPE internal subset is removed (so no entity is ever declared, let alone expanded: no
 * "billion laughs", no external entities), and characters XML forbids are deleted.
 */
export const prepareXml = (text: string): PreparedXml => {
  const recovered: string[] = []
  let xml = text.replace(/^\uFEFF/, '')
  const start = xml.search(/<\?xml[\s?]/)
  const lead = start > 0 ? xml.slice(0, start) : ''
  if (lead.trim()) {
    const onlyComments = /^(?:\s*<!--[\s\S]*?-->)*\s*$/.test(lead)
    recovered.push(
      onlyComments ? 'comment before the XML declaration' : 'text before the XML declaration',
    )
  }
  if (start > 0) xml = xml.slice(start)
  else if (start < 0) {
    // No declaration: drop junk (a PHP warning, say) before the first tag.
    const tag = xml.search(/<[A-Za-z!?]/)
    if (tag > 0 && xml.slice(0, tag).trim()) {
      recovered.push('text before the root element')
      xml = xml.slice(tag)
    }
  }
  xml = xml.trimStart()
  // The case-blind search of the whole document only when a `<!D` or `<!d` is there to match
  // (feeds seldom have a DOCTYPE).
  const doctype = mayHoldDoctype(xml) ? xml.match(DOCTYPE_SUBSET) : null
  if (doctype) {
    xml = xml.replace(DOCTYPE_SUBSET, '')
    recovered.push(
      /<!ENTITY/i.test(doctype[0])
        ? 'DOCTYPE entity declarations ignored (not expanded)'
        : 'DOCTYPE internal subset ignored',
    )
  }
  const cleaned = MAY_BE_INVALID.test(xml) ? xml.replace(INVALID_CHARS, '') : xml
  if (cleaned.length !== xml.length) recovered.push('invalid control characters')
  return { xml: cleaned, recovered }
}

/**
 * Whether `xml` has a `<!D` or `<!d`, where {@link DOCTYPE_SUBSET} could match: one search for
 * `<!` (a feed's are its CDATA sections, one an entry) instead of a search for each of the two,
 * which stopped at every `<` of the document, twice.
 */
const mayHoldDoctype = (xml: string): boolean => {
  for (let at = xml.indexOf('<!'); at >= 0; at = xml.indexOf('<!', at + 2)) {
    const c = xml.charCodeAt(at + 2)
    if (c === 68 /* D */ || c === 100 /* d */) return true
  }
  return false
}

/** CDATA sections and comments, where `&` and `<` are literal and must not be touched. */
const VERBATIM = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g

/** Applies `fix` to the markup between CDATA sections and comments only. */
const outsideCdata = (xml: string, fix: (text: string) => string): string => {
  let out = ''
  let last = 0
  for (const m of xml.matchAll(VERBATIM)) {
    out += fix(xml.slice(last, m.index)) + m[0]
    last = m.index + m[0].length
  }
  return out + fix(xml.slice(last))
}

/**
 * Repairs tried after a strict parse failed: bare `&` escaped as `&amp;`. Returns the repairs
 * made (empty when there was nothing to repair).
 */
export const repairXml = (xml: string): PreparedXml => {
  const recovered: string[] = []
  const escaped = outsideCdata(xml, (text) => text.replace(BARE_AMPERSAND, '&amp;'))
  if (escaped !== xml) recovered.push('unescaped ampersands')
  return { xml: escaped, recovered }
}
