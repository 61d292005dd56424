/** Where the shared real-world feed corpus lives (read-only, beside the checkout), and whether it is there. */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const CORPUS_DIR = resolve(import.meta.dirname, '../../../shared/corpus')

/**
 * True when `../shared/corpus` exists. CI always has it beside the clone, so there a missing corpus
 * is an error rather than a silent skip.
 */
export const corpusPresent = (): boolean => {
  const present = existsSync(join(CORPUS_DIR, 'manifest.tsv'))
  if (!present && process.env.CI) throw new Error(`the feed corpus is missing at ${CORPUS_DIR}`)
  return present
}
