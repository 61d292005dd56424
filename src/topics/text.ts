/** Text normalisation for matching and search: Unicode forms, case, diacritics, Arabic script, HTML to text. */
import { Buffer } from 'node:buffer'
import { dict } from '../util/dict.js'

/**
 * Arabic-script spelling variants folded to one letter, Arabic/Persian/Urdu digits to ASCII, and a
 * few Latin letters that have no Unicode decomposition. Letters with hamza on a seat (ئ ؤ) and the
 * Urdu yeh barree (ے) stay distinct: they change the word, not only its spelling.
 */
const CHAR_MAP: Readonly<Record<string, string>> = dict({
  // yeh: Arabic yeh and alef maksura → Farsi yeh (Persian and Urdu write ی)
  '\u064A': '\u06CC',
  '\u0649': '\u06CC',
  // kaf: Arabic kaf and swash kaf → keheh (ک)
  '\u0643': '\u06A9',
  '\u06AA': '\u06A9',
  // heh: teh marbuta, heh with yeh above (Persian ezafe), Urdu heh goal/doachashmee, ae → heh
  '\u0629': '\u0647',
  '\u06C0': '\u0647',
  '\u06C1': '\u0647',
  '\u06C2': '\u0647',
  '\u06C3': '\u0647',
  '\u06BE': '\u0647',
  '\u06D5': '\u0647',
  // alef with madda / hamza above / hamza below / wasla → bare alef (writers drop them freely)
  '\u0622': '\u0627',
  '\u0623': '\u0627',
  '\u0625': '\u0627',
  '\u0671': '\u0627',
  // Pashto letters → the Urdu/Persian letter for the same sound, as Pashto is often typed on
  // Urdu or Persian keyboards: gaf (ګ → گ), retroflex tt/dd/rr/n (ټ ډ ړ ڼ → ٹ ڈ ڑ ن),
  // and the Pashto yeh forms (ې ۍ → ی)
  '\u06AB': '\u06AF',
  '\u067C': '\u0679',
  '\u0689': '\u0688',
  '\u0693': '\u0691',
  '\u06BC': '\u0646',
  '\u06D0': '\u06CC',
  '\u06CD': '\u06CC',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ς: 'σ',
  // Arabic-Indic (U+0660…) and Extended Arabic-Indic (Persian, Urdu: U+06F0…) digits → 0-9
  ...Object.fromEntries(
    Array.from({ length: 10 }, (_, d) => [
      [String.fromCharCode(0x0660 + d), String(d)],
      [String.fromCharCode(0x06f0 + d), String(d)],
    ]).flat(),
  ),
})

/** Characters {@link CHAR_MAP} rewrites. */
const MAPPED = new RegExp(`[${Object.keys(CHAR_MAP).join('')}]`, 'gu')

/**
 * Removed outright: format characters (zero-width space/joiner/non-joiner, soft hyphen, BOM,
 * bidi marks), tatweel, Arabic harakat and Quranic annotation marks.
 */
const REMOVED =
  /[\p{Cf}\u0640\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED\u08D3-\u08E1\u08E3-\u08FF]/gu

/**
 * Diacritics of Latin, Greek and Cyrillic after NFD. Deliberately not `\p{M}`: that would also
 * strip Arabic hamza/madda (turning ئ into ی) and the vowel signs of Indic scripts.
 */
const DIACRITICS = /[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]/g

/**
 * A zero-width non-joiner between two Arabic-script letters: Persian and Pashto put it between the
 * parts of a compound or a suffix (اسلام‌آباد, افغان‌ها, آتش‌بس), where others type a space.
 */
const ARABIC_ZWNJ = /(?<=\p{scx=Arabic})\u200C+(?=\p{scx=Arabic})/gu

/** Anything that is not a letter, mark or digit separates words. */
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/gu

/**
 * Normalises text for matching and search, so that spelling variants compare equal:
 * NFKC (full-width and Arabic presentation forms), a ZWNJ between Arabic-script letters made a
 * word boundary (اسلام‌آباد = اسلام آباد), other format characters removed (ZWJ, ZWNJ, soft hyphen,
 * bidi marks), case folded with Turkish İ/ı → i and ß → ss, Latin/Greek/Cyrillic diacritics
 * removed, Arabic-script variants unified (ي/ى/ې/ۍ → ی, ك → ک, ګ → گ, ټ/ډ/ړ/ڼ → ٹ/ڈ/ڑ/ن,
 * ة/ۀ/ہ/ھ → ه, أ/إ/آ → ا; tatweel and harakat removed; Arabic, Persian and Urdu digits → 0-9),
 * then every run of characters that are not letters, marks or digits (punctuation, hyphens,
 * dashes, symbols, spaces) becomes one space.
 * Linear in the length of `s`.
 * @example normalizeText('TÜRKİYE’s “Tehrik-i-Taliban”') // 'turkiye s tehrik i taliban'
 * @example normalizeText('پاكستان') === normalizeText('پاکستان') // true
 */
export const normalizeText = (s: string): string => {
  const ascii = asciiEquivalent(s)
  return ascii === undefined
    ? normalizeUnicode(s)
    : ascii.toLowerCase().replace(ASCII_SEPARATORS, ' ').trim()
}

/**
 * Text that normalises as `s` does and is ASCII (`s` itself when it is), or undefined. An
 * ellipsis `…` becomes a space: NFKC makes it `...`, separators, and nothing composes with them.
 * It is the one non-ASCII character of most English summaries (a cut summary ends with it), and
 * the full Unicode pass over such a summary cost as much as the rest of its normalisation.
 */
const asciiEquivalent = (s: string): string | undefined => {
  if (!NON_ASCII.test(s)) return s
  return NON_ASCII_BUT_ELLIPSIS.test(s) ? undefined : s.replace(ELLIPSES, ' ')
}
const NON_ASCII_BUT_ELLIPSIS = /[\u0080-\u2025\u2027-\uFFFF]/
const ELLIPSES = /\u2026/g

/**
 * Whether {@link normalizeText} takes its ASCII path on `s` (no character beyond ASCII but `…`):
 * its words are then the runs of ASCII letters and digits, lower-cased.
 */
export const takesAsciiPath = (s: string): boolean => !NON_ASCII_BUT_ELLIPSIS.test(s)

/**
 * `s.normalize('NFKC')`, without the Unicode pass for text whose one character beyond ASCII is
 * `…` (what NFKC makes of it is `...`, and nothing composes with ASCII but marks beyond it).
 */
export const nfkc = (s: string): string =>
  NON_ASCII_BUT_ELLIPSIS.test(s) ? s.normalize('NFKC') : s.replace(ELLIPSES, '...')

/**
 * Whether `s` has a character outside ASCII: only then can normalisation forms, marks and folding
 * matter. Its UTF-8 length is its length exactly when every code unit is below 0x80 (a lone
 * surrogate takes three bytes): counted natively, ~10× faster than the regex /[\u0080-\uFFFF]/ on a
 * summary (a randomised test holds it to that regex).
 */
export const hasNonAscii = (s: string): boolean => Buffer.byteLength(s, 'utf8') !== s.length
const NON_ASCII = /[\u0080-\uFFFF]/
/** {@link SEPARATORS} within ASCII, once lower-cased. */
const ASCII_SEPARATORS = /[^a-z0-9]+/g

/** {@link normalizeText} for text with characters beyond ASCII (for ASCII it gives the same). */
export const normalizeUnicode = (s: string): string =>
  s
    .normalize('NFKC')
    .replace(/\u200B/g, ' ') // zero-width space marks a word boundary
    .replace(ARABIC_ZWNJ, ' ')
    .replace(REMOVED, '')
    .replace(/[İı]/g, 'i')
    .toLowerCase()
    .normalize('NFD')
    .replace(DIACRITICS, '')
    .normalize('NFC')
    .replace(MAPPED, (c) => CHAR_MAP[c] ?? c)
    .replace(REMOVED, '')
    .replace(SEPARATORS, ' ')
    .trim()

/**
 * The normalised words of `s` (see {@link normalizeText}); empty for text without letters or digits.
 * @example tokenize('Pakistan–Afghanistan talks') // ['pakistan', 'afghanistan', 'talks']
 */
export const tokenize = (text: string): string[] => {
  const s = asciiEquivalent(text)
  if (s === undefined) {
    const n = normalizeUnicode(text)
    return n === '' ? [] : n.split(' ')
  }
  // normalizeText's words without building its string: one pass instead of replace, trim and
  // split (tagging and story facts tokenise each item's title and summary, tagging its content).
  return asciiWords(s.toLowerCase())
}

/**
 * The runs of a–z and 0–9 of lower-cased ASCII text: what {@link ASCII_SEPARATORS} separates.
 * Read by char codes: 1.5× faster than `match(/[a-z0-9]+/g)` on a summary.
 */
const asciiWords = (s: string): string[] => {
  const out: string[] = []
  let start = -1
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i
    } else if (start >= 0) {
      out.push(s.slice(start, i))
      start = -1
    }
  }
  if (start >= 0) out.push(start === 0 ? s : s.slice(start))
  return out
}

/**
 * Collapses every run of whitespace to one space and trims. Only runs of two or more and other
 * whitespace than a space are replaced: replacing each single space between words by a space
 * made a copy piece by piece, ~4× the cost on a summary.
 */
export const collapseWhitespace = (s: string): string => s.replace(WHITESPACE_RUN, ' ').trim()

/** What {@link collapseWhitespace} replaces: two or more whitespace characters, or one that is not a space. */
const WHITESPACE_RUN = /\s{2,}|[^\S ]/g

/** Whitespace, as `\s` and `trim` read it (global: searched from a `lastIndex`). */
const WHITESPACE = /\s/g

/**
 * {@link collapseWhitespace} of `s` when that has at most `max` characters; else a text of more
 * than `max` characters that it starts with. A head of `s` that ends before whitespace collapses
 * to a start of the whole's collapse (a run cut there only loses its last space to the trim):
 * when a head a little longer than `max` gives more than `max` characters, the rest is not read.
 * For a reader of the first `max` characters (a summary cut from a long text: the regex pass and
 * the copy of the whole text were most of its cost).
 * @example collapsedHead('Torkham  reopens to trade. '.repeat(40), 600).length // 631, not 1,039
 */
export const collapsedHead = (s: string, max: number): string => {
  const from = max + (max >> 4) + 16
  if (s.length > from) {
    WHITESPACE.lastIndex = from
    if (WHITESPACE.test(s)) {
      const head = collapseWhitespace(s.slice(0, WHITESPACE.lastIndex - 1))
      if (head.length > max) return head
    }
  }
  return collapseWhitespace(s)
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = dict({
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201C',
  rdquo: '\u201D',
  laquo: '\u00AB',
  raquo: '\u00BB',
  hellip: '\u2026',
  shy: '\u00AD',
  zwnj: '\u200C',
  zwj: '\u200D',
  ...Object.fromEntries(
    [
      ['aacute', 'á'],
      ['agrave', 'à'],
      ['auml', 'ä'],
      ['ccedil', 'ç'],
      ['eacute', 'é'],
      ['egrave', 'è'],
      ['iacute', 'í'],
      ['ntilde', 'ñ'],
      ['oacute', 'ó'],
      ['ouml', 'ö'],
      ['uacute', 'ú'],
      ['uuml', 'ü'],
    ].flatMap(([lower = '', ch = '']) => [
      [lower, ch],
      [lower.charAt(0).toUpperCase() + lower.slice(1), ch.toUpperCase()],
    ]),
  ),
})

/** Bounded quantifiers keep this linear. */
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g

/** Decodes numeric entities and the common named ones; unknown names stay as written. */
export const decodeEntities = (s: string): string =>
  // Most texts have no `&`: found by a search, not a pass of the regex.
  s.indexOf('&') < 0
    ? s
    : s.replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
        if (name !== undefined) return NAMED_ENTITIES[name] ?? whole
        const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16)
        return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
          ? String.fromCodePoint(code)
          : ' '
      })

/** Tags that sit inside a word (`Pak<b>istan</b>`) and so must not split it. */
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'em',
  'font',
  'i',
  'mark',
  'q',
  's',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'u',
  'wbr',
])

/** Whether code unit `c` is a letter or a digit of ASCII: of a tag's name. */
const isTagNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)

/** Whether code unit `c` may follow `<` in a tag: a letter of ASCII, `/`, `!` or `?`. */
const isTagStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 47 || c === 33 || c === 63

// Read by code units: a regex test of a one-character string per character of each tag's name
// made a string and ran a regex for each.
const tagName = (html: string, from: number): string => {
  let end = from
  while (end < html.length && isTagNameChar(html.charCodeAt(end))) end++
  return html.slice(from, end).toLowerCase()
}

/**
 * Plain text of an HTML fragment for matching: tags removed (block tags become a space, inline
 * tags vanish), comments dropped, entities decoded, whitespace collapsed. Not a sanitiser. Linear:
 * each character is visited a bounded number of times, even for unbalanced `<`.
 * @example htmlToText('<p>Torkham</p><p>re<b>open</b>s &amp; trade</p>') // 'Torkham reopens & trade'
 */
export const htmlToText = (html: string): string => collapseWhitespace(htmlText(html))

/** An item's content as its words are read: {@link htmlText} of its HTML, and whether that takes the ASCII path. */
export interface ContentText {
  /** htmlText of the HTML (whitespace not collapsed). */
  readonly text: string
  /** takesAsciiPath of `text`. */
  readonly ascii: boolean
}

/** The last HTML {@link contentText} read, and what it made of it. */
let lastHtml: string | undefined
let lastContent: ContentText = { text: '', ascii: true }

/**
 * {@link htmlText} of an item's content HTML and whether it takes the ASCII path, made once for
 * the tagger (prepare.ts) and the word filter (word-filter.ts `wordsOf`), which read the same
 * item's content one after the other (ingest/analyse.ts runs them in a row for each item): the
 * last content is remembered (its HTML compared as a string, mostly the same string), one entry,
 * so nothing grows. Worth ~1 KB of HTML a content: a pass of htmlText and of the ASCII test each.
 */
export const contentText = (html: string): ContentText => {
  if (html !== lastHtml) {
    const text = htmlText(html)
    lastContent = { text, ascii: takesAsciiPath(text) }
    lastHtml = html
  }
  return lastContent
}

/** Whether `c` is a character of a word of normalizeText's ASCII path (a letter or a digit). */
const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)

/** Whether `c` is ASCII whitespace (what `\s` matches and collapseWhitespace collapses, within ASCII). */
export const isAsciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/**
 * How many words `part` has when, read on normalizeText's ASCII path, they are the first words of
 * `whole` as far as a cheap test tells, else -1 (not known): `part`, less a final `…`, is the
 * start of `whole` — runs of whitespace matching runs of whitespace, whitespace before either left
 * out — and ends where a word of `whole` ends. For two texts known to take the ASCII path.
 * @example leadingWords('Torkham reopens…', ' Torkham  reopens to trade') // 2
 */
export const leadingWords = (part: string, whole: string): number => {
  const n = part.endsWith('\u2026') ? part.length - 1 : part.length
  const m = whole.length
  let i = 0
  let j = 0
  let words = 0
  let inWord = false
  while (i < n && isAsciiSpace(part.charCodeAt(i))) i++
  while (j < m && isAsciiSpace(whole.charCodeAt(j))) j++
  while (i < n) {
    const c = part.charCodeAt(i)
    if (isAsciiSpace(c)) {
      if (j >= m || !isAsciiSpace(whole.charCodeAt(j))) return -1
      while (i < n && isAsciiSpace(part.charCodeAt(i))) i++
      while (j < m && isAsciiSpace(whole.charCodeAt(j))) j++
      inWord = false
      continue
    }
    if (j >= m || whole.charCodeAt(j) !== c) return -1
    const word = isWordChar(c)
    if (word && !inWord) words++
    inWord = word
    i++
    j++
  }
  return n === 0 || !isWordChar(part.charCodeAt(n - 1)) || !isWordChar(whole.charCodeAt(j))
    ? words
    : -1
}

/**
 * ASCII whitespace other than a space (global: searched from a `lastIndex`). With two spaces
 * (searched with indexOf), where whitespace that is not one space between two other characters
 * may start: one regex for both cost ten times as much as these two searches.
 */
const NOT_SPACE = /[\t-\r]/g

/**
 * Whether {@link leadingWords}(part, whole) >= 0, compared a stretch at a time: `whole` between
 * its runs of whitespace other than one space (a paragraph of a content's text) is compared to
 * `part` at once (two slices compared as strings: `startsWith` cost 3× as much), not a
 * character at a time. Text the stretches do not tell about
 * (`part` with other whitespace where `whole` has one space, or unlike `whole`) is read by
 * leadingWords, which then decides. For two texts known to take the ASCII path.
 * @example leadsWith('Torkham reopens…', ' Torkham  reopens to trade') // true
 */
export const leadsWith = (part: string, whole: string): boolean =>
  stretchesLead(part, whole) || leadingWords(part, whole) >= 0

/** True when {@link leadsWith} is true by its stretches; false: not known. */
const stretchesLead = (part: string, whole: string): boolean => {
  const n = part.endsWith('\u2026') ? part.length - 1 : part.length
  const m = whole.length
  let i = 0
  let j = 0
  while (i < n && isAsciiSpace(part.charCodeAt(i))) i++
  while (j < m && isAsciiSpace(whole.charCodeAt(j))) j++
  /** The next whitespace of `whole` other than a space from where it was searched (m: none). */
  let tab = -1
  while (i < n) {
    // The stretch of `whole` from j up to its next whitespace other than one space.
    if (tab < j) {
      NOT_SPACE.lastIndex = j
      tab = NOT_SPACE.test(whole) ? NOT_SPACE.lastIndex - 1 : m
    }
    const spaces = whole.indexOf('  ', j)
    let end = spaces < 0 || spaces > tab ? tab : spaces
    if (end > j && end < m && whole.charCodeAt(end - 1) === 32) end--
    if (n - i <= end - j) {
      // `part` ends in this stretch, where a word of `whole` ends.
      if (part.slice(i, n) !== whole.slice(j, j + n - i)) return false
      const after = j + n - i
      return n === 0 || !isWordChar(part.charCodeAt(n - 1)) || !isWordChar(whole.charCodeAt(after))
    }
    if (part.slice(i, i + end - j) !== whole.slice(j, end)) return false
    i += end - j
    j = end
    // A run of whitespace in both.
    if (!isAsciiSpace(part.charCodeAt(i)) || !isAsciiSpace(whole.charCodeAt(j))) return false
    while (i < n && isAsciiSpace(part.charCodeAt(i))) i++
    while (j < m && isAsciiSpace(whole.charCodeAt(j))) j++
  }
  return true
}

/** The last summary and content {@link summaryLeads} read, and what it found. */
let lastLeadSummary: string | undefined
let lastLeadContent: ContentText | undefined
let lastLeads = false

/**
 * Whether {@link summaryWordsIn} is not -1 (an item's summary is the start of its content's
 * text), told by {@link leadsWith}: the tagger (prepare.ts) needs the count of words only when the
 * content has a hit, the word filter (word-filter.ts `wordsOf`) never. Asked by both of one item
 * in a row: the last answer is remembered (one entry).
 */
export const summaryLeads = (summary: string, content: ContentText): boolean => {
  if (summary !== lastLeadSummary || content !== lastLeadContent) {
    // A summary that leads text on the ASCII path is on it too (each of its characters but a
    // final `…` is one of the text's or ASCII whitespace): not tested first (a regex pass over it).
    lastLeads = content.ascii && leadsWith(summary, content.text)
    lastLeadSummary = summary
    lastLeadContent = content
  }
  return lastLeads
}

/** The last summary and content {@link summaryWordsIn} read, and what it found. */
let lastSummary: string | undefined
let lastSummaryContent: ContentText | undefined
let lastSummaryWords = -1

/**
 * {@link leadingWords} of an item's summary in its content's text (from {@link contentText}) when
 * both take the ASCII path, else -1: a summary cut from the content (an RSS description that is
 * both) has no word of its own, and its phrases are the content's that end within its words.
 * Asked by the tagger (prepare.ts) and the word filter (word-filter.ts `wordsOf`) of one item
 * in a row: the last answer is remembered (one entry).
 */
export const summaryWordsIn = (summary: string, content: ContentText): number => {
  if (summary !== lastSummary || content !== lastSummaryContent) {
    // Counted only for a summary that leads its content ({@link summaryLeads}, remembered).
    lastSummaryWords = summaryLeads(summary, content) ? leadingWords(summary, content.text) : -1
    lastSummary = summary
    lastSummaryContent = content
  }
  return lastSummaryWords
}

/**
 * {@link htmlToText} before its whitespace is collapsed: the same words, for a reader that
 * separates words at any whitespace (the collapse costs a regex pass and a copy).
 */
export const htmlText = (html: string): string => {
  let out = ''
  let i = 0
  // Once a search for '>' or '-->' failed, later searches would fail too: remember, stay linear.
  let gtMissing = false
  let commentEndMissing = false
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    if (lt < 0) {
      out += html.slice(i)
      break
    }
    out += html.slice(i, lt)
    const next = html.charCodeAt(lt + 1)
    const isComment = html.startsWith('<!--', lt)
    let close = -1
    if (isComment && !commentEndMissing) {
      close = html.indexOf('-->', lt + 4)
      commentEndMissing = close < 0
    } else if (!isComment && !gtMissing && isTagStart(next)) {
      close = html.indexOf('>', lt + 1)
      gtMissing = close < 0
    }
    if (close < 0) {
      out += '<'
      i = lt + 1
      continue
    }
    const name = tagName(html, next === 47 ? lt + 2 : lt + 1)
    out += INLINE_TAGS.has(name) ? '' : ' '
    i = close + (isComment ? 3 : 1)
  }
  return decodeEntities(out)
}
