/** analyseFeed on this thread, its modules (parsers, sanitiser) loaded on first use. */
import type { Tagger } from '../topics/tag.js'
import type { AnalysedFeed, AnalyseInput } from './analyse.js'

/**
 * Runs analyseFeed in this thread. The parsers and the sanitiser are a large part of what a
 * process loads; when the analysis runs on worker threads (serve, fetch --once), the main thread
 * needs them only if a worker fails, so they are imported then rather than at start.
 * @example const analysed = await analyseHere(input, deps.tagger)
 */
export const analyseHere = async (input: AnalyseInput, tagger: Tagger): Promise<AnalysedFeed> => {
  const { analyseFeed } = await import('./analyse.js')
  return analyseFeed(input, tagger)
}
