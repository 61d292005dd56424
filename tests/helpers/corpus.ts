/** Where the shared real-world feed corpus lives (read-only, beside the checkout), and whether it is there. */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** `TOPICWIRE_CORPUS` when set (then it must be there), else `../shared/corpus` beside the checkout. */
export const CORPUS_DIR = resolve(
  process.env.TOPICWIRE_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'),
)

/**
 * True when the corpus is there. Without it the corpus suites are skipped, and say so in their
 * names; `.ci/run` names the corpus in TOPICWIRE_CORPUS when it finds one, and a corpus named but
 * missing is an error rather than a skip.
 */
export const corpusPresent = (): boolean => {
  const present = existsSync(join(CORPUS_DIR, 'manifest.tsv'))
  if (!present && process.env.TOPICWIRE_CORPUS) {
    throw new Error(`the feed corpus is missing at ${CORPUS_DIR} (TOPICWIRE_CORPUS)`)
  }
  return present
}

/** Every file below `dir`, depth first (the corpus feeds: `filesBelow(join(CORPUS_DIR, 'feeds'))`). */
export const filesBelow = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? filesBelow(p) : [p]
  })
