/** Where the shared real-world feed corpus lives (read-only, beside the checkout), and whether it is there. */
import { existsSync, readdirSync, statSync } from 'node:fs'
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

/** Every file below `dir`, depth first (the corpus feeds: `filesBelow(join(CORPUS_DIR, 'feeds'))`). */
export const filesBelow = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? filesBelow(p) : [p]
  })
