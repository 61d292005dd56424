/** PollDeps: what the poller needs beyond the shared Deps (runtime.ts builds it; tests through the same wiring). */
import type { Deps } from '../model/types.js'
import type { Clusterer } from '../stories/clusterer.js'
import type { Tagger } from '../topics/tag.js'
import type { AnalysedFeed, AnalyseInput } from './analyse.js'
import type { EntryMemo } from './entry-memo.js'
import type { BodyPool } from './fetch/body-pool.js'
import type { HttpFetch } from './fetch/http-fetch.js'

export interface PollDeps extends Deps {
  /** The configuration's compiled topics (replaced on reload). */
  tagger: Tagger
  fetch: HttpFetch
  /** [0, 1); injected so jitter is testable. */
  random: () => number
  /** Assigns story ids across sources: the story index (stories/clusterer.ts). */
  cluster: Clusterer
  /** Skips entries unchanged since the source's last stored poll. */
  entryMemo: EntryMemo
  /**
   * Runs analyseFeed (analyse.ts): on worker threads, or on this thread with `tagger`. Must give
   * the same result as analyseFeed with the current topics. `signal` cancels it where it can (a
   * worker is stopped; this thread's analysis is synchronous and runs to its end).
   */
  analyse: (input: AnalyseInput, signal?: AbortSignal) => Promise<AnalysedFeed>
  /** Buffers that response bodies are read into and given back to once analysed (absent: none). */
  bodies?: BodyPool
}
