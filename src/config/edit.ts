/** Adds sources to the YAML configuration text without touching the rest of the file. */
import { randomBytes } from 'node:crypto'
import { rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Document, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml'
import type { Source } from '../model/types.js'
import { canonicalUrl } from '../util/url.js'
import { parseConfigText } from './load.js'
import { isHttpUrl } from './plain-checks.js'
import { assignSourceIds } from './resolve.js'

type Env = Record<string, string | undefined>

/** A source to add, as an import finds it (no id yet). */
export interface SourceCandidate {
  url: string
  title?: string
  /** Slugified tags (e.g. the OPML folder names); may be empty. */
  tags: string[]
}

/** Why a candidate was left out. */
export interface SkippedSource {
  candidate: SourceCandidate
  reason: 'already-present' | 'duplicate-in-import' | 'invalid-url'
  /** For `already-present`: the id of the configured source with that URL. */
  existingId?: string
}

/** What {@link addSourcesToText} did. */
export interface AddSourcesResult {
  /** The new file text; equal to the input when nothing was added. */
  text: string
  /** The sources added, with the ids written for them. */
  added: Source[]
  skipped: SkippedSource[]
}

/** `${` is interpolation in the configuration; a literal one is written `$${`. */
const literal = (s: string): string => s.replace(/\$\{/g, () => '$${')

/** The new sources as block sequence items, each line indented by `indent` spaces. */
const renderItems = (sources: readonly Source[], indent: number): string => {
  const rows = sources.map((s) => {
    const row: Record<string, unknown> = { id: s.id, title: literal(s.title), url: literal(s.url) }
    if (s.tags.length > 0) row.tags = s.tags
    return row
  })
  const doc = new Document(rows)
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'tags' && isSeq(pair.value))
        pair.value.flow = true
    },
  })
  const pad = ' '.repeat(indent)
  return doc
    .toString({ lineWidth: 0, flowCollectionPadding: false })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `${pad}${line}\n`)
    .join('')
}

const columnOf = (text: string, offset: number): number =>
  offset - (text.lastIndexOf('\n', offset - 1) + 1)

/**
 * Inserts the sources into the text. A block `sources:` list gets new lines after its last item
 * and an empty `sources: []` becomes a block list, so every other byte stays as written; a flow
 * list with items is edited through the yaml Document API and the document re-rendered.
 */
const insertSources = (text: string, sources: readonly Source[]): string => {
  const doc = parseDocument(text)
  const pair = isMap(doc.contents)
    ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'sources')
    : undefined
  const seq = pair?.value
  if (!isSeq(seq) || !seq.range) throw new Error('internal: the file has no "sources:" list')
  const last = seq.items.at(-1)
  const lastEnd = last && typeof last === 'object' && 'range' in last ? last.range?.[1] : undefined
  if (!seq.flow && lastEnd !== undefined) {
    const block = renderItems(sources, columnOf(text, seq.range[0]))
    if (text[lastEnd - 1] === '\n') return text.slice(0, lastEnd) + block + text.slice(lastEnd)
    const nl = text.indexOf('\n', lastEnd)
    if (nl === -1) return `${text}\n${block}`
    return text.slice(0, nl + 1) + block + text.slice(nl + 1)
  }
  if (seq.items.length === 0 && isScalar(pair?.key) && pair.key.range) {
    const block = renderItems(sources, columnOf(text, pair.key.range[0]) + 2)
    const [start, end] = seq.range
    const after = /^[ \t]*(#[^\n]*)?\n?/.exec(text.slice(end))
    const comment = after?.[1] ? ` ${after[1]}` : ''
    const rest = text.slice(end + (after?.[0].length ?? 0))
    return `${text.slice(0, start).trimEnd()}${comment}\n${block}${rest}`
  }
  const rendered = parseDocument(renderItems(sources, 0)).contents
  seq.flow = false
  for (const item of isSeq(rendered) ? rendered.items : []) seq.add(item)
  return doc.toString({ lineWidth: 0 })
}

/**
 * Adds the candidates to configuration `text` (pure: the environment is a parameter). A candidate
 * whose URL (compared with `canonicalUrl`) is configured already, or came earlier in the import,
 * or is not an absolute http(s) URL is skipped. Ids come from `assignSourceIds` (title, else host;
 * `-2`, `-3`… against every configured id) and are written out. The result is validated with
 * `parseConfigText` before it is returned.
 * @throws ConfigError when the current text, or the text with the new sources, is invalid
 * @example addSourcesToText(yaml, 'config/topicwire.yaml', [{ url, title: 'Dawn', tags: [] }], env)
 */
export const addSourcesToText = (
  text: string,
  file: string,
  candidates: readonly SourceCandidate[],
  env: Env = {},
): AddSourcesResult => {
  const existing = parseConfigText(text, file, env).sources
  const byUrl = new Map(existing.map((s) => [canonicalUrl(s.url), s.id]))
  const seen = new Set<string>()
  const skipped: SkippedSource[] = []
  const fresh: SourceCandidate[] = []
  for (const candidate of candidates) {
    const key = canonicalUrl(candidate.url)
    const existingId = byUrl.get(key)
    if (!isHttpUrl(candidate.url)) skipped.push({ candidate, reason: 'invalid-url' })
    else if (existingId !== undefined)
      skipped.push({ candidate, reason: 'already-present', existingId })
    else if (seen.has(key)) skipped.push({ candidate, reason: 'duplicate-in-import' })
    else {
      seen.add(key)
      fresh.push(candidate)
    }
  }
  if (fresh.length === 0) return { text, added: [], skipped }
  const { sources } = assignSourceIds([
    ...existing,
    ...fresh.map((c) => ({
      url: c.url,
      ...(c.title?.trim() ? { title: c.title.trim() } : {}),
      tags: [...new Set(c.tags.filter((t) => t !== ''))],
      priority: 0,
      enabled: true,
    })),
  ])
  const added = sources.slice(existing.length)
  const next = insertSources(text, added)
  const check = new Set(parseConfigText(next, file, env).sources.map((s) => s.id))
  const lost = added.find((s) => !check.has(s.id))
  if (lost) throw new Error(`internal: source "${lost.id}" was not written to ${file}`)
  return { text: next, added, skipped }
}

/**
 * Replaces `path` with `text` atomically: a temporary file in the same directory (keeping the
 * old file's permissions), then a rename; the temporary file is removed when anything fails.
 */
export const writeFileAtomic = async (path: string, text: string): Promise<void> => {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => undefined,
  )
  try {
    await writeFile(tmp, text, mode === undefined ? {} : { mode })
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}
