/** Narrowing helpers for the loosely typed xml2js trees that rss-parser hands back. */

/** A plain object (an element with attributes or children in xml2js terms). */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The value as a list: xml2js gives arrays for repeated elements, but not always. */
export const nodesOf = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined ? [] : [v]

/** The attributes of an element (`$` in xml2js), as strings. */
const attrsOf = (node: unknown): Record<string, string> => {
  const out: Record<string, string> = {}
  const a = isRecord(node) ? node.$ : undefined
  if (!isRecord(a)) return out
  for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k] = v
  return out
}

/**
 * One attribute of an element, trimmed; `undefined` when absent, not a string, or empty. Read in
 * place: a copy of every attribute to read one cost a list of pairs and an object per call.
 */
export const attrOf = (node: unknown, name: string): string | undefined => {
  const a = isRecord(node) ? node.$ : undefined
  if (!isRecord(a) || !Object.hasOwn(a, name)) return undefined
  const v = a[name]
  return typeof v === 'string' ? v.trim() || undefined : undefined
}

/** Whether an element has child elements (xhtml or markup written without escaping). */
export const hasChildren = (node: unknown): boolean =>
  isRecord(node) && Object.keys(node).some((k) => k !== '$' && k !== '_')

/**
 * The text of an element: its character data followed by the text of its child elements.
 * xml2js groups children by name, so for mixed content the order is only approximately kept.
 * Recursive, which is safe because parse/xml-depth.ts caps the nesting before xml2js reads it.
 */
export const textOf = (node: unknown): string | undefined => {
  if (typeof node === 'string') return node
  if (typeof node === 'number' || typeof node === 'boolean') return String(node)
  if (!isRecord(node)) return undefined
  // The keys read in place, the list of parts made only for an element with child text (most
  // elements hold text alone).
  let parts: string[] | undefined
  for (const k in node) {
    if (k === '$' || k === '_' || !Object.hasOwn(node, k)) continue
    for (const child of nodesOf(node[k])) {
      const t = textOf(child)
      if (!t) continue
      parts ??= typeof node._ === 'string' ? [node._] : []
      parts.push(t)
    }
  }
  if (parts === undefined) return typeof node._ === 'string' ? node._ : undefined
  return parts.join(' ')
}

const escapeAttr = (v: string): string => escapeHtml(v).replace(/"/g, '&quot;')

/**
 * Element content serialised back to HTML (for xhtml content and markup written without
 * escaping): text escaped, child elements written without their namespace prefix or xmlns.
 * Recursive like `textOf`, on a tree whose depth parse/xml-depth.ts capped.
 */
export const markupOf = (node: unknown): string => {
  if (typeof node === 'string') return escapeHtml(node)
  if (!isRecord(node)) return ''
  let out = typeof node._ === 'string' ? escapeHtml(node._) : ''
  for (const [k, v] of Object.entries(node)) {
    if (k === '$' || k === '_') continue
    const tag = k.replace(/^[\w.-]+:/, '')
    for (const child of nodesOf(v)) {
      const attrs = Object.entries(attrsOf(child))
        .filter(([a]) => !a.startsWith('xmlns'))
        .map(([a, val]) => ` ${a}="${escapeAttr(val)}"`)
        .join('')
      out += `<${tag}${attrs}>${markupOf(child)}</${tag}>`
    }
  }
  return out
}

/** Base64 text decoded as UTF-8; `undefined` when it is not base64 of readable text. */
export const decodeBase64Text = (text: string): string | undefined => {
  const compact = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'))
    return decoded.includes('\u0000') ? undefined : decoded
  } catch {
    return undefined
  }
}

/** The first non-blank text among the nodes, trimmed. */
export const firstText = (v: unknown): string | undefined => {
  for (const n of nodesOf(v)) {
    const t = textOf(n)?.trim()
    if (t) return t
  }
  return undefined
}

/** Every non-blank text among the nodes, trimmed. */
export const allTexts = (v: unknown): string[] =>
  nodesOf(v)
    .map((n) => textOf(n)?.trim())
    .filter((t): t is string => Boolean(t))

/** Escapes text so that it reads back as the same text when treated as HTML. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A string or undefined from an unknown value; blank strings become undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : undefined
