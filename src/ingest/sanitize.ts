/** HTML from feeds → safe article HTML with absolute URLs (allow-list), or → plain text. */
import { Parser } from 'htmlparser2'
import sanitize from 'sanitize-html'
import { collapseWhitespace } from '../topics/text.js'
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
export const sanitizeHtml = (html: string, baseUrl: string): string => {
  if (!MARKUP_OR_ESCAPED.test(html)) return html.trim()
  currentBase = baseUrl
  try {
    return sanitize(html, ARTICLE_OPTIONS).trim()
  } finally {
    currentBase = ''
  }
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
  return collapseWhitespace(text)
}
