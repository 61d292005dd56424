/** HTML from feeds → safe article HTML with absolute URLs (allow-list), or → plain text. */
import { Parser } from 'htmlparser2'
import sanitize from 'sanitize-html'
import { collapsedHead, collapseWhitespace } from '../topics/text.js'
import { resolveUrl } from '../util/url.js'

/** Tags an article body may keep; everything else is dropped (its text kept, except script/style). */
const ALLOWED_TAGS: readonly string[] = [
  'p',
  'br',
  'hr',
  'a',
  'img',
  'figure',
  'figcaption',
  'picture',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'blockquote',
  'q',
  'cite',
  'pre',
  'code',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'em',
  'strong',
  'b',
  'i',
  'u',
  's',
  'small',
  'sub',
  'sup',
  'mark',
  'abbr',
  'time',
  'span',
  'div',
  'table',
  'caption',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'audio',
  'video',
  'source',
  'iframe',
]

/** Video embeds we let through; any other iframe is removed. */
const IFRAME_HOSTS = [
  'www.youtube.com',
  'youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
]

/** Attributes that hold URLs and must be made absolute. */
const URL_ATTRIBUTES = ['href', 'src', 'cite', 'poster']

/** Schemes a URL attribute may keep once absolute (`data:` images are handled separately). */
const allowedScheme = (tagName: string, url: string): boolean =>
  /^https?:/i.test(url) || (tagName === 'a' && /^mailto:/i.test(url))

/**
 * The base URL of the sanitisation under way. sanitize-html runs synchronously, so one options
 * object (built once: sanitize-html reads it on every call, never writes it) serves every call,
 * its tag transform reading the base from here.
 */
let currentBase = ''

/**
 * Makes URL attributes absolute, in place: the attributes object is htmlparser2's own for this one
 * tag, and sanitize-html takes the returned one as the tag's from then on.
 */
const absolutise = (tagName: string, attribs: sanitize.Attributes): sanitize.Tag => {
  const out = attribs
  for (const name of URL_ATTRIBUTES) {
    const value = out[name]
    if (value === undefined) continue
    const trimmed = value.trim()
    // data: stays as written (images only; sanitize-html enforces the scheme per tag), and only
    // image payloads are worth keeping.
    if (/^data:/i.test(trimmed)) {
      if (tagName === 'img' && name === 'src' && /^data:image\//i.test(trimmed)) continue
      delete out[name]
      continue
    }
    const abs = resolveUrl(trimmed, currentBase)
    if (abs === undefined || !allowedScheme(tagName, abs)) delete out[name]
    else out[name] = abs
  }
  if (tagName === 'a') {
    if (out.href === undefined) delete out.rel
    else out.rel = 'noopener noreferrer'
  }
  return { tagName, attribs: out }
}

const ARTICLE_OPTIONS: sanitize.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    iframe: ['src', 'width', 'height', 'allowfullscreen', 'title'],
    audio: ['src', 'controls'],
    video: ['src', 'controls', 'poster', 'width', 'height'],
    source: ['src', 'type'],
    blockquote: ['cite'],
    q: ['cite'],
    time: ['datetime'],
    abbr: ['title'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: URL_ATTRIBUTES,
  allowProtocolRelative: false,
  allowedIframeHostnames: IFRAME_HOSTS,
  allowIframeRelativeUrls: false,
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
  transformTags: { '*': absolutise },
  // An <a> or <img> that lost its URL (javascript:, unparsable) is noise; an empty iframe too.
  exclusiveFilter: (frame) =>
    (frame.tag === 'img' && !frame.attribs.src) || (frame.tag === 'iframe' && !frame.attribs.src),
}

/**
 * What makes sanitize-html's output differ from its input: a tag or entity to read ('<', '&'), or a
 * character it escapes ('<', '>', '&'). Without them its parser sees one text node and copies it
 * as it is, so the sanitiser is not called (tests/ingest/sanitize-plain.test.ts holds the two
 * equal on the corpus and on random strings).
 */
const MARKUP_OR_ESCAPED = /[<>&]/

/**
 * Sanitises article HTML: an allow-list of ordinary article tags, no script/style/iframe (except
 * YouTube and Vimeo embeds), no event handlers or style attributes, only http/https/mailto links
 * (`data:` only for image sources), every relative URL made absolute against `baseUrl`, and
 * `rel="noopener noreferrer"` on links. Always the last content step.
 * @example sanitizeHtml('<p onclick="x()"><a href="/a">A</a></p>', 'https://e.org/') // '<p><a href="https://e.org/a" rel="noopener noreferrer">A</a></p>'
 */
export const sanitizeHtml = (html: string, baseUrl: string): string =>
  sanitizeWith(html, baseUrl, true)

/** {@link sanitizeHtml} always through sanitize-html, for the tests that compare the two. */
export const sanitizeHtmlParsed = (html: string, baseUrl: string): string =>
  sanitizeWith(html, baseUrl, false)

/**
 * `{ html: sanitizeHtml(html, baseUrl), text: htmlToText(html) }`, in one reading of HTML that
 * {@link plainSanitized} writes (a feed's description is usually both an item's content and,
 * as text, its summary): the text comes from the same pass over the same tags. With `textMax`,
 * a text of more than `textMax` characters may be only a start of htmlToText's, one of more than
 * `textMax` characters (topics/text.ts collapsedHead): enough for a summary cut to `textMax`.
 * @example sanitizeHtmlAndText('<p>Talks <b>resume</b></p>', 'https://e.org/') // { html: '<p>Talks <b>resume</b></p>', text: 'Talks resume' }
 */
export const sanitizeHtmlAndText = (
  html: string,
  baseUrl: string,
  textMax = Number.POSITIVE_INFINITY,
): { html: string; text: string } => {
  if (!MARKUP_OR_ESCAPED.test(html))
    return { html: html.trim(), text: collapsedHead(html, textMax) }
  currentBase = baseUrl
  try {
    plainTextWanted = true
    const plain = plainSanitized(html)
    if (plain !== undefined) return { html: plain.trim(), text: collapsedHead(plainText, textMax) }
    return { html: sanitize(html, ARTICLE_OPTIONS).trim(), text: htmlToText(html) }
  } finally {
    currentBase = ''
    plainTextWanted = false
    plainText = ''
  }
}

/**
 * Whether {@link plainSanitized} also writes the text {@link plainTagsText} would read, into
 * {@link plainText} (for {@link sanitizeHtmlAndText}).
 */
let plainTextWanted = false
let plainText = ''

/** {@link sanitizeHtml}, with plain article HTML written by {@link plainSanitized} when `plainFirst`. */
const sanitizeWith = (html: string, baseUrl: string, plainFirst: boolean): string => {
  if (!MARKUP_OR_ESCAPED.test(html)) return html.trim()
  currentBase = baseUrl
  try {
    return (
      (plainFirst ? plainSanitized(html) : undefined) ?? sanitize(html, ARTICLE_OPTIONS)
    ).trim()
  } finally {
    currentBase = ''
  }
}

/**
 * Tags {@link plainSanitized} writes itself, with the attributes ARTICLE_OPTIONS allows them
 * (null: sanitize-html reads none of their attributes). All are in ALLOWED_TAGS.
 */
const PLAIN_ARTICLE_TAGS: ReadonlyMap<string, readonly string[] | null> = new Map([
  ...'p b i em strong span u s small sub sup mark code br'
    .split(' ')
    .map((t) => [t, null] as const),
  ['a', ['href', 'title', 'rel']],
  ['img', ['src', 'alt', 'title', 'width', 'height']],
])

/** The attributes of the tag plainSanitized reads: name, value, name, value… (reused). */
const plainAttrs: string[] = []

/**
 * What sanitize-html makes of HTML of the plain form that {@link plainTagsText} reads, written
 * without a parser, for the tags of {@link PLAIN_ARTICLE_TAGS} nested as htmlparser2 keeps them
 * (a `p` only at the top, each closing tag that of the innermost open one, `/>` only on img and
 * br); undefined for any other HTML, which sanitize-html then reads. Attributes go through
 * `absolutise`, the allow-list and the scheme check in sanitize-html's order and form, an img
 * without a source is left out, tags left open are closed at the end, and text has its plain
 * character references decoded (see {@link decodePlainEntities}) and `&`, `<` and `>` escaped.
 * Feed descriptions usually are of this form; sanitize-html cost several times as much on them.
 */
const plainSanitized = (html: string): string | undefined => {
  const entities = html.includes('&')
  const withText = plainTextWanted
  let out = ''
  let textOut = ''
  const open: string[] = []
  let at = 0
  // Where the input written as it is begins: html.slice(run, at) is yet to go to `out`, in one
  // piece (text and tags sanitize-html writes as they stand are most of a description).
  let run = 0
  for (;;) {
    const lt = html.indexOf('<', at)
    const text = lt < 0 ? html.slice(at) : html.slice(at, lt)
    // The piece's text as plainTagsText reads it: references decoded.
    let piece = text
    if (entities && text.includes('&')) {
      // Decoded, then escaped as sanitize-html escapes text (the plain references only).
      const decoded = decodePlainEntities(text)
      if (decoded === undefined) return undefined
      piece = decoded
      out += html.slice(run, at)
      out += /[&<>]/.test(decoded)
        ? decoded.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
        : decoded
      run = lt < 0 ? html.length : lt
    } else if (text.includes('>')) {
      out += html.slice(run, at)
      out += text.replace(/>/g, '&gt;')
      run = lt < 0 ? html.length : lt
    }
    if (lt < 0) {
      if (withText) plainText = textOut + piece
      break
    }
    if (plainAttrs.length > 0) plainAttrs.length = 0
    const end = plainTagEnd(html, lt, plainAttrs)
    if (end < 0) return undefined
    // A block boundary is whitespace in the text (htmlparser2's reading has a space either side
    // of the tag): one space, which its collapse keeps as it is, where two made it replace a run.
    if (withText) textOut += plainTagBlock ? `${piece} ` : piece
    const name = plainTagName
    const allowed = plainTagAllowed
    if (allowed === undefined) return undefined
    const isVoid = name === 'img' || name === 'br'
    /** What the tag is written as, when not as it stands in the input. */
    let written: string | undefined
    if (plainTagClosing) {
      if (isVoid || open.pop() !== name) return undefined
      if (end - lt !== name.length + 3 || !html.startsWith(name, lt + 2)) written = `</${name}>`
    } else if (plainTagSelfClosing && !isVoid) {
      return undefined
    } else if (name === 'p' && open.length > 0) {
      return undefined
    } else if (allowed === null && !isVoid) {
      open.push(name)
      if (end - lt !== name.length + 2 || !html.startsWith(name, lt + 1)) written = `<${name}>`
    } else {
      let tag = `<${name}`
      let src: string | undefined
      if (allowed !== null) {
        // htmlparser2's attributes: the first of a name wins.
        const attribs: sanitize.Attributes = {}
        for (let k = 0; k < plainAttrs.length; k += 2) {
          const a = plainAttrs[k] as string
          if (!Object.hasOwn(attribs, a)) attribs[a] = plainAttrs[k + 1] as string
        }
        absolutise(name, attribs)
        for (const a of Object.keys(attribs)) {
          const value = attribs[a] as string
          // An empty value is dropped but for alt (every allowed attribute is non-boolean).
          if (!allowed.includes(a) || (value === '' && a !== 'alt')) continue
          if (URL_ATTRIBUTES.includes(a) && !resolvedWebUrl(value) && naughtyHref(name, value))
            continue
          if (a === 'src') src = value
          tag += value === '' ? ` ${a}=""` : ` ${a}="${escapeAttribute(value)}"`
        }
      }
      if (!isVoid) {
        open.push(name)
        written = `${tag}>`
      } else written = name !== 'img' || src ? `${tag} />` : ''
    }
    if (written !== undefined) {
      out += html.slice(run, lt)
      out += written
      run = end
    }
    at = end
  }
  if (run < html.length) out += html.slice(run)
  for (let k = open.length - 1; k >= 0; k--) out += `</${open[k]}>`
  return out
}

/** sanitize-html's escaping of an attribute value (with entities decoded, as ARTICLE_OPTIONS has them). */
const escapeAttribute = (value: string): string =>
  /[&<>"]/.test(value)
    ? value
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
    : value

/**
 * Whether a URL attribute's value, after `absolutise`, is an http(s) URL that `resolveUrl` wrote:
 * `absolutise` leaves no other value starting so (a `data:` image is the one it keeps as
 * written), and resolveUrl writes no control character, space or `<` (a plain URL has none, the
 * URL parser percent-encodes them), so {@link naughtyHref} would find nothing to strip and an
 * allowed scheme: its three regex passes are not needed.
 */
const resolvedWebUrl = (value: string): boolean =>
  value.startsWith('https://') || value.startsWith('http://')

/**
 * sanitize-html's check of a URL attribute under ARTICLE_OPTIONS: true when its scheme is not
 * allowed for the tag, or it is protocol-relative. Control characters and spaces are ignored, as
 * are HTML comments inside.
 */
const naughtyHref = (tag: string, href: string): boolean => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: what browsers ignore in a URL
  let h = href.replace(/[\x00-\x20]+/g, '')
  for (;;) {
    const first = h.indexOf('<!--')
    if (first === -1) break
    const last = h.indexOf('-->', first + 4)
    if (last === -1) break
    h = h.substring(0, first) + h.substring(last + 3)
  }
  const m = /^([a-zA-Z][a-zA-Z0-9.\-+]*):/.exec(h)
  if (!m) return /^[/\\]{2}/.test(h)
  const scheme = (m[1] as string).toLowerCase()
  return tag === 'img'
    ? scheme !== 'http' && scheme !== 'https' && scheme !== 'data'
    : scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto'
}

/** Elements after which text flows onto a new line; used to keep words apart in plain text. */
const BLOCK_BOUNDARY =
  /<\/?(?:p|div|br|hr|li|ul|ol|dd|dt|dl|h[1-6]|tr|td|th|table|blockquote|pre|figure|figcaption|section|article|header|footer|aside|nav)\b[^>]*>/gi

/** Elements whose content is not text a reader sees. */
const NON_TEXT = new Set(['script', 'style', 'textarea', 'option', 'noscript'])

/**
 * Plain text from HTML: tags removed (script/style with their content), entities decoded,
 * whitespace collapsed to single spaces. Used for titles and summaries. Read with htmlparser2, the
 * parser sanitize-html uses, directly: a sanitize-html pass with no tags allowed gives the same text
 * (tests/ingest/sanitize-text.test.ts compares them on the corpus) at several times the cost, most
 * of it per call.
 * @example htmlToText('<p>Talks&nbsp;resume</p><p>in <b>Doha</b></p>') // 'Talks resume in Doha'
 */
export const htmlToText = (html: string): string => {
  if (!/[<&]/.test(html)) return collapseWhitespace(html)
  const plain = plainTagsText(html)
  return collapseWhitespace(plain ?? parsedText(html))
}

/** {@link htmlToText}'s text before its whitespace is collapsed, read with htmlparser2 (any HTML). */
const parsedText = (html: string): string => {
  let text = ''
  let hidden = 0
  const parser = new Parser(
    {
      onopentag: (name) => {
        if (NON_TEXT.has(name)) hidden++
      },
      onclosetag: (name) => {
        if (hidden > 0 && NON_TEXT.has(name)) hidden--
      },
      ontext: (chunk) => {
        if (hidden === 0) text += chunk
      },
    },
    { decodeEntities: true },
  )
  parser.write(html.replace(BLOCK_BOUNDARY, ' $& '))
  parser.end()
  return text
}

/** {@link htmlToText} as it was before {@link plainTagsText}, for the tests that compare the two. */
export const htmlToTextParsed = (html: string): string =>
  /[<&]/.test(html) ? collapseWhitespace(parsedText(html)) : collapseWhitespace(html)

/**
 * Elements {@link plainTagsText} reads: htmlparser2 gives them no special treatment (not script,
 * style, title, textarea; no foreign content such as svg), and none hides its text (NON_TEXT).
 * The value says whether {@link BLOCK_BOUNDARY} names it.
 */
const PLAIN_TAGS: ReadonlyMap<string, boolean> = new Map([
  ...'p div br hr li ul ol dd dt dl h1 h2 h3 h4 h5 h6 tr td th table blockquote pre figure figcaption section article header footer aside nav'
    .split(' ')
    .map((t) => [t, true] as const),
  ...'a img picture q cite code em strong b i u s small sub sup mark abbr time span caption thead tbody tfoot font big center del ins wbr main address dfn kbd'
    .split(' ')
    .map((t) => [t, false] as const),
])

/** A tag of {@link PLAIN_TAGS}: its name (lower case) and whether it is a block boundary. */
interface PlainTag {
  name: string
  block: boolean
  /** What {@link PLAIN_ARTICLE_TAGS} says of it (undefined: plainSanitized does not write it). */
  allowed: readonly string[] | null | undefined
}

/** The slot of {@link PLAIN_TAG_SLOTS} of a name of `length` characters, lower-case `first` and `last`. */
const plainTagSlot = (length: number, first: number, last: number): number =>
  (length * 31 + first * 7 + last) & 127

/** The tags of {@link PLAIN_TAGS} by {@link plainTagSlot}. */
const PLAIN_TAG_SLOTS: PlainTag[][] = (() => {
  const slots: PlainTag[][] = Array.from({ length: 128 }, () => [])
  for (const [name, block] of PLAIN_TAGS)
    slots[plainTagSlot(name.length, name.charCodeAt(0), name.charCodeAt(name.length - 1))]?.push({
      name,
      block,
      allowed: PLAIN_ARTICLE_TAGS.get(name),
    })
  return slots
})()

/**
 * The tag of {@link PLAIN_TAGS} named by `html.slice(start, end)` in any case, or undefined:
 * compared in place, without the name's lower-case copy and its hash. The name is letters and
 * digits, which `| 0x20` makes lower case (digits have that bit already).
 */
const plainTagAt = (html: string, start: number, end: number): PlainTag | undefined => {
  const length = end - start
  const slot =
    PLAIN_TAG_SLOTS[
      plainTagSlot(length, html.charCodeAt(start) | 0x20, html.charCodeAt(end - 1) | 0x20)
    ]
  if (slot === undefined) return undefined
  next: for (const tag of slot) {
    if (tag.name.length !== length) continue
    for (let k = 0; k < length; k++)
      if ((html.charCodeAt(start + k) | 0x20) !== tag.name.charCodeAt(k)) continue next
    return tag
  }
  return undefined
}

const LT = 60
const GT = 62
const SLASH = 47
const EQUALS = 61
const DOUBLE_QUOTE = 34
const SINGLE_QUOTE = 39
const AMPERSAND = 38

/** htmlparser2's whitespace: space, tab, line feed, form feed, carriage return. */
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 12 || c === 13
const isLetter = (c: number): boolean => (c | 0x20) >= 97 && (c | 0x20) <= 122
const isDigit = (c: number): boolean => c >= 48 && c <= 57
/** What an attribute name plainTagsText reads may hold after its first letter. */
const isNameCode = (c: number): boolean =>
  isLetter(c) || isDigit(c) || c === 45 || c === 95 || c === 58 || c === 46

/** What {@link plainTagEnd} read of the last tag: whether it is a block boundary, its name (lower case), its form. */
let plainTagBlock = false
let plainTagName = ''
/** {@link PLAIN_ARTICLE_TAGS}' entry for {@link plainTagName}. */
let plainTagAllowed: readonly string[] | null | undefined
let plainTagClosing = false
let plainTagSelfClosing = false

/**
 * Where the tag at `lt` ends (the index after its `>`), when it is a tag of the plain form:
 * `<name attr="v" attr='v' attr>`, `<name/>` or `</name>` with `name` in {@link PLAIN_TAGS},
 * attribute values holding no `<`, `>` or `&`; then sets {@link plainTagName} and the rest, and
 * pushes each attribute's name (lower case) and value ('' for none) onto `attrs` when given.
 * Else -1.
 */
const plainTagEnd = (html: string, lt: number, attrs?: string[]): number => {
  const n = html.length
  let i = lt + 1
  const closing = html.charCodeAt(i) === SLASH
  if (closing) i++
  const nameStart = i
  if (!isLetter(html.charCodeAt(i))) return -1
  while (i < n && (isLetter(html.charCodeAt(i)) || isDigit(html.charCodeAt(i)))) i++
  const known = plainTagAt(html, nameStart, i)
  if (known === undefined) return -1
  plainTagBlock = known.block
  plainTagName = known.name
  plainTagAllowed = known.allowed
  plainTagClosing = closing
  plainTagSelfClosing = false
  for (;;) {
    if (i >= n) return -1
    let c = html.charCodeAt(i)
    if (c === GT) return i + 1
    if (c === SLASH) {
      plainTagSelfClosing = true
      return !closing && html.charCodeAt(i + 1) === GT ? i + 2 : -1
    }
    if (!isSpace(c)) return -1
    while (i < n && isSpace(html.charCodeAt(i))) i++
    c = html.charCodeAt(i)
    if (c === GT || c === SLASH) continue
    if (closing || !isLetter(c)) return -1
    const attrStart = i
    while (i < n && isNameCode(html.charCodeAt(i))) i++
    const attrEnd = i
    if (html.charCodeAt(i) !== EQUALS) {
      attrs?.push(html.slice(attrStart, attrEnd).toLowerCase(), '')
      continue
    }
    const quote = html.charCodeAt(i + 1)
    if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) return -1
    i += 2
    const valueStart = i
    for (; i < n; i++) {
      c = html.charCodeAt(i)
      if (c === quote) break
      if (c === LT || c === GT || c === AMPERSAND) return -1
    }
    attrs?.push(html.slice(attrStart, attrEnd).toLowerCase(), html.slice(valueStart, i))
    i++
  }
}

/**
 * The text of HTML made of text without `<` or `&` and tags of the plain form (see
 * {@link plainTagEnd}), as htmlparser2 reads it in {@link parsedText} (block boundaries made a
 * space), in one pass with no parser; undefined for any other HTML (a comment, an entity, a script,
 * an unknown or unclosed tag…), which htmlparser2 then reads. The text of feed descriptions
 * usually is of this form, and reading it with htmlparser2 cost several times as much.
 */
const plainTagsText = (html: string): string | undefined => {
  const entities = html.includes('&')
  let text = ''
  let at = 0
  for (;;) {
    const lt = html.indexOf('<', at)
    let piece = html.slice(at, lt < 0 ? html.length : lt)
    if (entities && piece.includes('&')) {
      const decoded = decodePlainEntities(piece)
      if (decoded === undefined) return undefined
      piece = decoded
    }
    if (lt < 0) return text + piece
    const end = plainTagEnd(html, lt)
    if (end < 0) return undefined
    text += plainTagBlock ? `${piece} ` : piece
    at = end
  }
}

/**
 * Named character references {@link decodePlainEntities} reads: the commonest in feeds, with what
 * HTML (and htmlparser2) decodes them to.
 */
const PLAIN_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', '\u00a0'],
  ['rsquo', '\u2019'],
  ['lsquo', '\u2018'],
  ['rdquo', '\u201d'],
  ['ldquo', '\u201c'],
  ['ndash', '\u2013'],
  ['mdash', '\u2014'],
  ['hellip', '\u2026'],
])

/** Longest name of {@link PLAIN_ENTITIES}. */
const PLAIN_ENTITY_MAX = 6

/**
 * Text with its character references decoded as htmlparser2 decodes them in text, when each `&`
 * starts one of the plain forms: `&name;` with a name of {@link PLAIN_ENTITIES}, `&#digits;` or
 * `&#xhex;` of at most seven digits for a code point that needs no repair (not NUL, C1, a
 * surrogate or beyond U+10FFFF). Undefined for any other `&`: a bare one, a name without its `;`
 * (HTML reads some of those), one it does not know; htmlparser2 then reads the HTML.
 */
const decodePlainEntities = (s: string): string | undefined => {
  let out = ''
  let at = 0
  for (let amp = s.indexOf('&'); amp >= 0; amp = s.indexOf('&', at)) {
    out += s.slice(at, amp)
    const semi = s.indexOf(';', amp + 2)
    if (semi < 0 || semi - amp - 1 > PLAIN_ENTITY_MAX + 2) return undefined
    let decoded: string | undefined
    if (s.charCodeAt(amp + 1) === HASH) {
      const hex = (s.charCodeAt(amp + 2) | 0x20) === LOWER_X
      const digits = s.slice(amp + (hex ? 3 : 2), semi)
      if (digits.length === 0 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits))
        return undefined
      const code = Number.parseInt(digits, hex ? 16 : 10)
      if (!plainCodePoint(code)) return undefined
      decoded = String.fromCodePoint(code)
    } else decoded = PLAIN_ENTITIES.get(s.slice(amp + 1, semi))
    if (decoded === undefined) return undefined
    out += decoded
    at = semi + 1
  }
  return out + s.slice(at)
}

const HASH = 35
const LOWER_X = 120

/** A code point HTML's numeric references give as it is (others it replaces or maps). */
const plainCodePoint = (c: number): boolean =>
  (c >= 0x20 && c < 0x7f) ||
  c === 9 ||
  c === 10 ||
  (c >= 0xa0 && c < 0xd800) ||
  (c > 0xdfff && c <= 0x10ffff)
