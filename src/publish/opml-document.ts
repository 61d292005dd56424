/** OPML 2.0 text from a title and a tree of outlines: the writer that /opml and export-opml share. */
import { stripInvalidXmlChars } from './escape.js'

/** One `<outline>`: its attributes in the order written, then the outlines inside it. */
export interface OpmlOutline {
  text: string
  title?: string
  type?: string
  xmlUrl?: string
  htmlUrl?: string
  description?: string
  category?: string
  language?: string
  isComment?: boolean
  outlines?: OpmlOutline[]
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
}

/** Text for a double-quoted attribute (or element content): XML-safe, line breaks kept as such. */
const escapeXml = (text: string): string =>
  stripInvalidXmlChars(text).replace(/[&<>"\n\r\t]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c)

const attributes = (o: OpmlOutline): string =>
  Object.entries(o)
    .filter(([key, value]) => key !== 'outlines' && value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('')

/**
 * Renders an OPML 2.0 document (pure). Outlines nest as deep as given (ours: groups of feeds).
 * Written by hand rather than with an XML library: the server and export-opml load it at start.
 * @example renderOpmlDocument({ title: 'topicwire sources' }, [{ text: 'Dawn', type: 'rss', xmlUrl }])
 */
export const renderOpmlDocument = (
  head: { title: string; docs?: string },
  outlines: readonly OpmlOutline[],
): string => {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXml(head.title)}</title>`,
    ...(head.docs ? [`    <docs>${escapeXml(head.docs)}</docs>`] : []),
    '  </head>',
    '  <body>',
  ]
  // Iterative, children after their parent: the depth is the data's, not the call stack's.
  const work: { o: OpmlOutline | string; depth: number }[] = outlines
    .map((o) => ({ o, depth: 2 }))
    .reverse()
  while (work.length > 0) {
    const { o, depth } = work.pop() as { o: OpmlOutline | string; depth: number }
    const indent = '  '.repeat(depth)
    if (typeof o === 'string') {
      lines.push(`${indent}${o}`)
      continue
    }
    if (!o.outlines?.length) {
      lines.push(`${indent}<outline${attributes(o)}/>`)
      continue
    }
    lines.push(`${indent}<outline${attributes(o)}>`)
    work.push({ o: '</outline>', depth })
    for (let i = o.outlines.length - 1; i >= 0; i--)
      work.push({ o: o.outlines[i] as OpmlOutline, depth: depth + 1 })
  }
  lines.push('  </body>', '</opml>', '')
  return lines.join('\n')
}
