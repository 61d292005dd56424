/** The `topicwire` command line: parses arguments, picks the command, maps failures to exit codes. */
import { parseArgs } from 'node:util'
import { AppError, ConfigError } from '../model/errors.js'
import type { CliContext } from './context.js'

const USAGE = `Usage: topicwire <command> [options]

Commands:
  serve                      poll the sources on schedule and serve the feeds (npm start)
  fetch --once [--source ID] poll now (all sources or one), print a per-source summary
  check [--preview]          validate the configuration; --preview: what the topic rules would
                             add or remove for the stored items
  demo                       offline demo with bundled sample feeds on loopback (npm run demo)
  import-opml FILE           add the feeds of an OPML file as sources to the configuration file
                             (keeps comments, skips sources already there)
  export-opml                print the configured sources as OPML
  import-verdicts FILE --topic ID [--items ITEMS]
                             store a labelled TSV as readers' verdicts on a topic (our labelled
                             set's columns, or with --items an "id label" file joined to items)
  store migrate --from lowdb --to postgres
                             copy the embedded store (storage.path) into an empty PostgreSQL
                             database (storage.url / DATABASE_URL) with every id and state
  store warm                 read the PostgreSQL store's tables and indexes into the server's
                             shared buffers (after a restart, a restore or store migrate)

Options:
  --config PATH   configuration file (env TOPICWIRE_CONFIG; default config/topicwire.yaml)
  -h, --help      this text; topicwire help COMMAND (or COMMAND --help): one command in detail
  -v, --version   the version

Environment: TOPICWIRE_HOST, PORT, BASE_URL, DATABASE_URL, ADMIN_TOKEN, LOG_LEVEL, LOG_FORMAT (json | pretty), and any \${VAR} the file uses.`

/** `topicwire help COMMAND` and `topicwire COMMAND --help`: what one command does, its options and exit codes. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  serve: `Usage: topicwire serve [--config PATH]

Polls the configured sources on their schedules and serves the feeds, the API and /readyz over
HTTP (server.host:server.port; env TOPICWIRE_HOST, PORT). The configuration file is watched and
reloaded on change or SIGHUP (an invalid one is logged and the running one kept); SIGTERM or
SIGINT finishes the running poll, flushes the store and exits. Exit 1 when it cannot start.`,
  fetch: `Usage: topicwire fetch --once [--source ID] [--config PATH]

Polls every enabled source now (or only the one with id ID), whatever its schedule, stores what
it finds and prints one line per source: new, updated, unchanged or its error. Exit 0 even when
sources fail (the table says which); 1 for an invalid configuration or an unknown source id.`,
  check: `Usage: topicwire check [--preview] [--config PATH]

Validates the configuration file without starting anything: every problem is printed with file,
line and column, and the exit code is 1. With --preview it also re-tags the stored items with the
file's topic rules, without saving, and lists per topic the items that would be added or removed.`,
  demo: `Usage: topicwire demo

Offline demo: publishes the bundled sample feeds on a loopback port and runs serve with
config/demo.yaml (port 8080 or PORT), printing the feeds to open.`,
  'import-opml': `Usage: topicwire import-opml FILE [--config PATH]

Adds every feed of the OPML file FILE (nested folders flattened; folder names and categories
become tags) as a source to the configuration file. Comments and formatting are kept, sources
already there (same URL) are skipped, and the file is only written when the result validates.`,
  'export-opml': `Usage: topicwire export-opml [--config PATH]

Prints the configured sources as OPML 2.0 (title, feed URL, tags as categories) on stdout.`,
  'import-verdicts': `Usage: topicwire import-verdicts FILE --topic ID [--items ITEMS] [--config PATH]

Stores a labelled TSV as readers' verdicts on topic ID: our labelled set's columns, or with
--items ITEMS an "id label" file joined to the items file ITEMS.`,
  store: `Usage: topicwire store migrate --from lowdb --to postgres [--config PATH]
       topicwire store warm [--config PATH]

migrate copies the embedded store (storage.path) into the empty PostgreSQL database of
storage.url / DATABASE_URL with every id, story, state and verdict; the embedded store is only
read (stop serve first). warm reads the PostgreSQL store's tables and indexes (items, item_search,
item_topics, their TOAST) into the server's shared buffers with pg_prewarm, indexes first, as long
as they fit in 90% of shared_buffers, so the first pages after a restart, a restore or a migrate
read nothing from disk; it changes no data and may run beside serve. It creates the extension
pg_prewarm when missing, which needs a superuser once. Exit 1 when the database cannot be reached
or the extension is missing and cannot be created.`,
}

/**
 * Runs the command line and returns the exit code: 0 ok, 1 invalid configuration or failure to
 * start, 2 usage error.
 */
export const main = async (
  argv: string[],
  env: Record<string, string | undefined>,
  io: Pick<CliContext, 'out' | 'err'> = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  },
): Promise<number> => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (e) {
    io.err(`topicwire: ${(e as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (command === 'help' || (values.help && command)) {
    const about = command === 'help' ? rest[0] : command
    if (about === undefined) {
      io.out(USAGE)
      return 0
    }
    const help = COMMAND_HELP[about]
    if (help === undefined) {
      io.err(`topicwire: no help for "${about}": there is no such command\n\n${USAGE}`)
      return 2
    }
    io.out(help)
    return 0
  }
  if (values.help || !command) {
    io.out(USAGE)
    return command || values.help ? 0 : 2
  }
  const withFile = command === 'import-opml' || command === 'import-verdicts'
  const operand = withFile ? rest.shift() : undefined
  if (withFile && operand === undefined) {
    const what = command === 'import-opml' ? 'the OPML file' : 'the labelled file'
    io.err(`topicwire: "${command}" needs ${what}: topicwire ${command} FILE\n\n${USAGE}`)
    return 2
  }
  if (command === 'import-verdicts' && !values.topic) {
    io.err(`topicwire: "import-verdicts" needs --topic ID\n\n${USAGE}`)
    return 2
  }
  const sub = command === 'store' ? rest.shift() : undefined
  if (command === 'store' && sub !== 'migrate' && sub !== 'warm') {
    io.err(
      `topicwire: "store" needs a subcommand: topicwire store migrate --from lowdb --to postgres, or topicwire store warm\n\n${USAGE}`,
    )
    return 2
  }
  if (rest.length > 0) {
    io.err(`topicwire: unexpected argument "${rest[0]}"\n\n${USAGE}`)
    return 2
  }
  const ctx: CliContext = {
    configPath: values.config ?? env.TOPICWIRE_CONFIG ?? 'config/topicwire.yaml',
    env,
    ...io,
  }
  // Each command's module is loaded only when it runs: `check` never loads the HTTP server,
  // the worker pool or the sanitiser.
  try {
    switch (command) {
      case 'serve':
        await (await import('./serve.js')).serveCommand(ctx)
        return 0
      case 'fetch':
        if (!values.once) {
          io.err('topicwire: "fetch" needs --once (the scheduler runs with "serve")')
          return 2
        }
        return await (await import('./fetch.js')).fetchCommand(ctx, { sourceId: values.source })
      case 'check':
        return await (await import('./check.js')).checkCommand(ctx, {
          preview: values.preview ?? false,
        })
      case 'import-opml':
        return await (await import('./opml.js')).importOpmlCommand(ctx, operand ?? '')
      case 'export-opml':
        return await (await import('./export-opml.js')).exportOpmlCommand(ctx)
      case 'import-verdicts':
        return await (await import('./import-verdicts.js')).importVerdictsCommand(
          ctx,
          operand ?? '',
          {
            topic: values.topic ?? '',
            ...(values.items ? { items: values.items } : {}),
            now: new Date(),
          },
        )
      case 'store':
        if (sub === 'warm') return await (await import('./store-warm.js')).storeWarmCommand(ctx)
        return await (await import('./store-migrate.js')).storeMigrateCommand(ctx, {
          from: values.from ?? '',
          to: values.to ?? '',
        })
      case 'demo':
        await (await import('./demo.js')).demoCommand(ctx)
        return 0
      default:
        io.err(`topicwire: unknown command "${command}"\n\n${USAGE}`)
        return 2
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`Configuration errors:\n${e.message}`)
      return 1
    }
    if (e instanceof AppError) {
      io.err(`topicwire: ${e.message}`)
      return 1
    }
    throw e
  }
}

const parse = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      once: { type: 'boolean' },
      source: { type: 'string' },
      preview: { type: 'boolean' },
      topic: { type: 'string' },
      items: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
