/** The store benchmark's deterministic data: realistic items (titles, ~1.5 KB bodies, 30% tagged, stories of 2–5). */
import type { Item, SourceState } from '../src/model/types.js'
import { mulberry32 as rng } from '../tests/helpers/random.js'

export const DAY_MS = 86_400_000
/** The benchmark's "now": every store is built as of this instant. */
export const NOW = Date.parse('2026-03-10T12:00:00.000Z')
export const TOPICS = ['border', 'trade', 'refugees', 'talks', 'security']
export const SOURCES = 300
/** Items a day across all sources (a year of a few hundred sources is ~500k items). */
export const PER_DAY = 1_400

const SYLLABLES = 'ka ri to ma shen lo ve dar kun bal ti pra zo hel gan mu sor fi ne qa'.split(' ')

/** Made-up words with a Zipf-like pick, so `q` searches hit lists of realistic lengths. */
export const words = (seed: number) => {
  const random = rng(seed)
  const vocab = Array.from({ length: 5_000 }, () =>
    Array.from(
      { length: 2 + Math.floor(random() * 3) },
      () => SYLLABLES[Math.floor(random() * SYLLABLES.length)],
    ).join(''),
  )
  const word = (): string => vocab[Math.floor(vocab.length * random() ** 3)]!
  const sentence = (n: number): string => Array.from({ length: n }, word).join(' ')
  return { random, vocab, word, sentence }
}

export const sourceId = (s: number): string => `src-${String(s).padStart(3, '0')}`

/** Days the store spans at `n` items. */
export const spanDays = (n: number): number => Math.max(7, Math.ceil(n / PER_DAY))

/**
 * `n` items over `spanDays(n)` days before NOW, newest last, grouped in stories of 1 (60%) or 2–5
 * members from distinct sources an hour apart at most.
 */
export const makeItems = (n: number, seed = 1): Item[] => {
  const w = words(seed)
  const days = spanDays(n)
  const out: Item[] = []
  let k = 0
  while (out.length < n) {
    const size = w.random() < 0.6 ? 1 : 2 + Math.floor(w.random() * 4)
    const at = NOW - days * DAY_MS + Math.floor(((out.length + 0.5) / n) * days * DAY_MS)
    const tagged = w.random() < 0.3
    const topic = TOPICS[Math.floor(w.random() * TOPICS.length)]!
    const first = `item-${seed}-${k}`
    const used = new Set<number>()
    for (let m = 0; m < size && out.length < n; m++) {
      let s = Math.floor(w.random() * SOURCES)
      while (used.has(s)) s = (s + 1) % SOURCES
      used.add(s)
      const id = `item-${seed}-${k++}`
      const title = w.sentence(8)
      const summary = w.sentence(30)
      const publishedAt = new Date(at + m * 600_000).toISOString()
      out.push({
        id,
        sourceId: sourceId(s),
        guid: `https://news.example.org/${id}`,
        url: `https://news.example.org/${id}`,
        canonicalUrl: `https://news.example.org/${id}`,
        title,
        summary,
        contentHtml: `<p>${w.sentence(110)}</p><p>${w.sentence(110)}</p>`,
        author: 'Staff Reporter',
        language: 'en',
        categories: ['news'],
        enclosures: [],
        publishedAt,
        fetchedAt: publishedAt,
        contentHash: `h-${id}`,
        topics: tagged ? [topic] : [],
        clusterId: first,
      })
    }
  }
  return out
}

/** A source's state after a poll at `at`, with a short history as a running store keeps. */
export const stateAt = (id: string, at: number): SourceState => ({
  sourceId: id,
  etag: `"${at}"`,
  lastFetchAt: new Date(at).toISOString(),
  lastSuccessAt: new Date(at).toISOString(),
  lastStatus: 200,
  failures: 0,
  nextPollAt: new Date(at + 900_000).toISOString(),
})
