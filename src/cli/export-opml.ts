/** `topicwire export-opml`: the configured sources as OPML 2.0 on stdout. */
import { loadSourcesConfig } from '../config/load-sources.js'
import type { Source } from '../model/types.js'
import { stripInvalidXmlChars } from '../publish/escape.js'
import { type OpmlOutline, renderOpmlDocument } from '../publish/opml-document.js'
import type { CliContext } from './context.js'

const clean = (text: string): string => stripInvalidXmlChars(text).trim()

/**
 * The sources as an OPML 2.0 document (pure): one `type="rss"` outline per source, in file order,
 * with its title, `xmlUrl`, and its tags as `category` (`/tag1,/tag2`).
 * @example await renderSourcesOpml(config.sources, 'topicwire sources')
 */
export const renderSourcesOpml = (sources: readonly Source[], title: string): Promise<string> => {
  const outlines: OpmlOutline[] = sources.map((s) => {
    const outline: OpmlOutline = { text: clean(s.title), title: clean(s.title), type: 'rss' }
    outline.xmlUrl = s.url
    if (s.tags.length > 0) outline.category = s.tags.map((t) => `/${clean(t)}`).join(',')
    if (s.language) outline.language = s.language
    return outline
  })
  // OPML 2.0 wants at least one outline in <body>.
  if (outlines.length === 0) outlines.push({ text: 'No sources are configured', isComment: true })
  return renderOpmlDocument({ title: clean(title) }, outlines)
}

/** Prints the configured sources as OPML to stdout; exit 0 (a ConfigError when the file is invalid). */
export const exportOpmlCommand = async (ctx: CliContext): Promise<number> => {
  const config = await loadSourcesConfig(ctx.configPath, ctx.env)
  ctx.out((await renderSourcesOpml(config.sources, 'topicwire sources')).trimEnd())
  return 0
}
