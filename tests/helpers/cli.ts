/** Runs the `topicwire` command line in-process and captures what it prints. */
import { main } from '../../src/cli/index.js'

export interface CliRun {
  code: number
  out: string
  err: string
}

/** `main(argv, env)` with stdout and stderr captured as text. */
export const runCli = async (
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}
