/** How the news-dev corpus is read for evaluation: its outlets' tags, where its held-out half starts, our subtopic labels. */
import { ParseError } from '../src/model/errors.js'

/**
 * Tags a `serve` would give news-dev's outlets as sources (only a Pakistani outlet's matters to the
 * shipped rules: its country is the side a story about "Afghan nationals" leaves implied).
 */
export const NEWS_DEV_OUTLET_TAGS: Readonly<Record<string, readonly string[]>> = {
  'Pakistan Observer': ['pakistan'],
  'The Times of India': ['international', 'india'],
}

/**
 * Items published from this date on are the held-out half: windows W5, W6 and the later sweep
 * items. The rules are tuned on the earlier half and the held-out half is only read back.
 */
export const NEWS_DEV_HOLDOUT_FROM = '2023-07-01'

/**
 * A row's cross-validation fold key: its day of publication, so the wire copies of one story
 * (published the same day) are never split between training and test (else its index).
 */
export const dayFold = (row: object, index: number): number => {
  const published = 'published' in row && typeof row.published === 'string' ? row.published : ''
  const day = Math.floor(Date.parse(published) / 864e5)
  return Number.isFinite(day) ? day : index
}

/** Where our subtopic labels of news-dev's positives are (ids and topic ids only, no corpus text). */
export const NEWS_DEV_SUBTOPICS = new URL(
  '../tests/fixtures/topics/news-dev-subtopics.tsv',
  import.meta.url,
)

/**
 * Reads `id<TAB>topic,topic…` lines (a header `id subtopics` first): which narrower topics each
 * news-dev positive fits. Throws naming the line for a malformed row or a repeated id.
 */
export const parseSubtopicLabels = (text: string, shown: string): Map<string, string[]> => {
  const out = new Map<string, string[]>()
  text.split(/\r?\n/).forEach((line, i) => {
    if (i === 0 || line.trim() === '') return
    const [id = '', list = '', ...rest] = line.split('\t')
    const topics = list.split(',').filter((t) => t !== '')
    if (id === '' || topics.length === 0 || rest.length > 0 || out.has(id))
      throw new ParseError(`${shown}:${i + 1}: expected "id<TAB>topic,topic…" with a new id`)
    out.set(id, topics.sort())
  })
  return out
}

/**
 * The positives among `rows`, each labelled with its subtopics instead of the umbrella topic, for
 * scoring the narrower topics on them (rows without a subtopic label are left out).
 */
export const subtopicRows = <R extends { id: string; topics: string[] }>(
  rows: readonly R[],
  labels: ReadonlyMap<string, string[]>,
): R[] =>
  rows.flatMap((r) => {
    const topics = labels.get(r.id)
    return r.topics.length > 0 && topics ? [{ ...r, topics }] : []
  })
