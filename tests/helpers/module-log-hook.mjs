/** Module hook for tests/cli/module-graph.test.ts: prints every module URL a process loads to stderr. */
import { writeSync } from 'node:fs'

/** Passes every load on unchanged, after naming its URL on a line of its own. */
export const load = async (url, context, next) => {
  writeSync(2, `module-log ${url}\n`)
  return next(url, context)
}
