/** `topicwire import-opml FILE`: the feeds of an OPML file added to the configuration as sources. */
import { readFile } from 'node:fs/promises'
import { type Opml, parseOpml } from 'feedsmith'
import {
  addSourcesToText,
  type SkippedSource,
  type SourceCandidate,
  writeFileAtomic,
} from '../config/edit.js'
import { loadConfig } from '../config/load.js'
import { slugify } from '../config/resolve.js'
import { AppError, ConfigError, ParseError } from '../model/errors.js'
import type { CliContext } from './context.js'

type Outline = Opml.Outline<string>

/** Tags of an OPML `category` attribute: `/news/pakistan,/urdu` → news, pakistan, urdu. */
const categoryTags = (category: string | undefined): string[] =>
  (category ?? '')
    .split(',')
    .flatMap((path) => path.split('/'))
    .map(slugify)
    .filter((t) => t !== '')

/**
 * The feeds of an OPML document, in document order: every outline with an `xmlUrl` (nested
 * folders flattened). Each folder around a feed, and its `category`, become slugified tags.
 * @throws ParseError naming `file` when the text is not OPML with at least one feed
 * @example opmlCandidates(xml, 'subs.opml') // [{ url: 'https://…', title: 'Dawn', tags: ['pakistan'] }]
 */
export const opmlCandidates = (xml: string, file: string): SourceCandidate[] => {
  let doc: Opml.Document<string>
  try {
    doc = parseOpml(xml)
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    throw new ParseError(
      `${file} is not a valid OPML file (${why}: it needs an <opml> root with a <body> of <outline> elements)`,
      { cause: e },
    )
  }
  const found: SourceCandidate[] = []
  const walk = (outlines: readonly Outline[], folders: string[]) => {
    for (const o of outlines) {
      const url = o.xmlUrl?.trim()
      if (url) {
        const tags = [...folders, ...categoryTags(o.category)]
        const title = (o.title ?? o.text ?? '').trim()
        found.push({ url, ...(title ? { title } : {}), tags: [...new Set(tags)] })
      }
      if (o.outlines) {
        const folder = url ? [] : [slugify(o.text ?? o.title ?? '')].filter((t) => t !== '')
        walk(o.outlines, [...folders, ...folder])
      }
    }
  }
  walk(doc.body?.outlines ?? [], [])
  if (found.length === 0)
    throw new ParseError(
      `${file} has no feeds: no <outline> carries an xmlUrl attribute (the address of a feed)`,
    )
  return found
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const describeSkipped = (s: SkippedSource): string => {
  const name = s.candidate.title ?? s.candidate.url
  return s.existingId ? `${name} (as "${s.existingId}")` : `${name} (${s.candidate.url})`
}

/**
 * Adds the feeds of OPML `file` to the configuration file as sources and prints a summary; the
 * file is only written when the result validates, and atomically. Returns the exit code: 0, or 1
 * (as an AppError thrown) for an unreadable or invalid OPML or configuration.
 */
export const importOpmlCommand = async (ctx: CliContext, file: string): Promise<number> => {
  let xml: string
  try {
    xml = await readFile(file, 'utf8')
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : String(e)
    throw new AppError('parse', `cannot read the OPML file ${file}: ${why}`, { cause: e })
  }
  const candidates = opmlCandidates(xml, file)
  let text: string
  try {
    text = await readFile(ctx.configPath, 'utf8')
  } catch {
    // loadConfig words a missing or unreadable configuration file the way every command does.
    await loadConfig(ctx.configPath, ctx.env)
    throw new AppError('config', `cannot read the configuration file ${ctx.configPath}`)
  }
  let result: ReturnType<typeof addSourcesToText>
  try {
    result = addSourcesToText(text, ctx.configPath, candidates, ctx.env)
  } catch (e) {
    if (e instanceof ConfigError) ctx.err(`${ctx.configPath} was not changed.`)
    throw e
  }
  if (result.added.length > 0) await writeFileAtomic(ctx.configPath, result.text)
  const present = result.skipped.filter((s) => s.reason !== 'invalid-url')
  const invalid = result.skipped.filter((s) => s.reason === 'invalid-url')
  let summary = `${ctx.configPath}: added ${plural(result.added.length, 'source')}`
  if (present.length > 0)
    summary += `, skipped ${present.length} already present: ${present.map(describeSkipped).join(', ')}`
  if (invalid.length > 0)
    summary += `, skipped ${invalid.length} without an http(s) URL: ${invalid.map(describeSkipped).join(', ')}`
  ctx.out(summary)
  for (const s of result.added)
    ctx.out(`  + ${s.id}: ${s.title} <${s.url}>${s.tags.length ? ` [${s.tags.join(', ')}]` : ''}`)
  return 0
}
