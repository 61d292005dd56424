/** Escaping for everything publish/ writes: XML-safe text and HTML entities. */

/**
 * Removes the characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates,
 * U+FFFE/U+FFFF): one stray byte in a source title must not make a whole feed unreadable.
 */
export const stripInvalidXmlChars = (text: string): string =>
  text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/**
 * Escapes text for HTML element content and double-quoted attribute values (`&`, `<`, `>`, `"`).
 * @example escapeHtml('<b> & "x"') // '&lt;b&gt; &amp; &quot;x&quot;'
 */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => HTML_ENTITIES[c] ?? c)

/**
 * {@link escapeHtml} for pages we serve ourselves (the index, its SVG): also `'`, and without the
 * characters XML forbids, since titles come from the internet and the page must stay valid.
 * @example escapePageText("it's <b>") // 'it&#39;s &lt;b&gt;'
 */
export const escapePageText = (text: string): string =>
  stripInvalidXmlChars(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c)
