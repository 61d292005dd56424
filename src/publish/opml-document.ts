/** OPML 2.0 text from a title and a tree of outlines: the writer that /opml and export-opml share. */
import type { Opml } from 'feedsmith'
import { stripInvalidXmlChars } from './escape.js'

/** One `<outline>` (feedsmith's type): attributes, then the outlines inside it. */
export type OpmlOutline = Opml.Outline<string>

/**
 * Renders an OPML 2.0 document with feedsmith's generator, which escapes every attribute.
 * feedsmith is loaded on the first call, not at start: `serve` and `export-opml` would otherwise
 * load its parsers for every format at start-up for one small document. Characters XML forbids
 * are dropped from the result, so one stray byte in a title never makes a document no reader opens.
 * @example await renderOpmlDocument({ title: 'topicwire sources' }, [{ text: 'Dawn', type: 'rss', xmlUrl }])
 */
export const renderOpmlDocument = async (
  head: { title: string; docs?: string },
  outlines: OpmlOutline[],
): Promise<string> => {
  const { generateOpml } = await import('feedsmith')
  return stripInvalidXmlChars(generateOpml({ head, body: { outlines } }))
}
