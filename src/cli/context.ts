/** What every command gets from the command line: the configuration path, the environment and where to print. */

/** Common options every command gets. */
export interface CliContext {
  configPath: string
  env: Record<string, string | undefined>
  out: (line: string) => void
  err: (line: string) => void
}
