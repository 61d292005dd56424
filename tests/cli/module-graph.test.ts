/** Commands load only what they use: the modules a real `check` and `export-opml` process loads, recorded by a module hook. */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs('tw-module-graph-')

const ROOT = resolve(import.meta.dirname, '../..')
const SHIPPED = join(ROOT, 'config/topicwire.yaml')

/** What these commands have no use for: the HTTP server, sanitiser, metrics, worker pool, store, fetcher and OPML parser. */
const NOT_FOR_THEM = [
  /\/node_modules\/hono\//,
  /\/node_modules\/@hono\/node-server\//,
  /\/node_modules\/sanitize-html\//,
  /\/node_modules\/prom-client\//,
  /\/node_modules\/undici\//,
  /\/node_modules\/lowdb\//,
  /\/node_modules\/pg\//,
  /\/node_modules\/pino\//,
  /^node:worker_threads$/,
  /^node:http$/,
  /\/src\/(http|ingest|store|stories)\//,
  /\/src\/runtime\.ts$/,
]

/**
 * The URLs of every module `topicwire argv…` loads, from the command line's entry on (tsx's own
 * modules, loaded before it, are not the command's).
 */
const modulesOf = (argv: string[], status = 0, env: Record<string, string> = {}): string[] => {
  // CommonJS modules required on demand (createRequire) pass no module hook: the require cache
  // lists them, with those that ES modules imported.
  const script = `const { main } = await import('./src/cli/index.ts'); process.exitCode = await main(${JSON.stringify(argv)}, process.env, { out: () => {}, err: (l) => console.error(l) }); const { createRequire } = await import('node:module'); for (const f of Object.keys(createRequire(import.meta.url).cache)) console.error('module-log file://' + f)`
  const run = spawnSync(
    process.execPath,
    ['--import', './tests/helpers/module-log.mjs', '--import', 'tsx', '--input-type=module'],
    // A clean environment: the test runner's own (BASE_URL=/, for one) is no configuration's.
    { cwd: ROOT, input: script, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } },
  )
  if (run.status !== status)
    throw new Error(
      `topicwire ${argv.join(' ')} failed (status ${run.status}, ${run.signal}): ${run.stderr.replace(/^module-log .*\n/gm, '')}`,
    )
  const urls = [...run.stderr.matchAll(/^module-log (\S+)$/gm)].map((m) => m[1] ?? '')
  const entry = urls.findIndex((u) => u.endsWith('/src/cli/index.ts'))
  expect(entry, 'the hook saw the command line load').toBeGreaterThanOrEqual(0)
  return urls.slice(entry)
}

describe('the modules a command loads', () => {
  // check writes no OPML: not even the OPML library; export-opml needs it to write its document,
  // but never tags: not the rule compiler (nor re2js, which it loads for regular expressions).
  it.each([
    [
      'check',
      ['check', '--config', SHIPPED],
      /\/src\/cli\/check\.ts$/,
      [/\/node_modules\/feedsmith\//],
    ],
    [
      'export-opml',
      ['export-opml', '--config', SHIPPED],
      /\/src\/cli\/export-opml\.ts$/,
      [/\/src\/topics\//, /\/node_modules\/re2js\//],
    ],
  ])(
    '%s loads its own module and the configuration, nothing of serve',
    (_, argv, own, alsoNot) => {
      const loaded = modulesOf(argv)
      // The recording works: the command's own module and the configuration loader are there.
      expect(loaded.some((u) => own.test(u))).toBe(true)
      expect(loaded.some((u) => u.endsWith('/src/config/read-config.ts'))).toBe(true)
      const forbidden = [...NOT_FOR_THEM, ...alsoNot]
      expect(loaded.filter((u) => forbidden.some((re) => re.test(u)))).toEqual([])
    },
    60_000,
  )

  it('would see them: fetch --once loads the fetcher and the store', () => {
    // No source: the command's modules load and it runs an empty cycle (an unknown source would
    // stop it before it loads what polls and stores).
    const dir = tempDir()
    const config = join(dir, 'topicwire.yaml')
    writeFileSync(config, 'storage: { path: data/db.json }\nsources: []\n')
    const loaded = modulesOf(['fetch', '--once', '--config', config])
    for (const re of [/\/node_modules\/undici\//, /\/node_modules\/lowdb\//])
      expect(
        loaded.some((u) => re.test(u)),
        String(re),
      ).toBe(true)
    // The parsers and the sanitiser run on the analysis workers: the main thread does not load them.
    expect(
      loaded.filter((u) => /\/node_modules\/(sanitize-html|rss-parser|xml2js|sax)\//.test(u)),
    ).toEqual([])
  }, 60_000)

  it('fetch --once runs a cycle without the metrics it would never serve', () => {
    const dir = tempDir()
    const config = join(dir, 'topicwire.yaml')
    writeFileSync(config, 'storage: { path: data/db.json }\nsources: []\n')
    const loaded = modulesOf(['fetch', '--once', '--config', config])
    // the cycle ran: the runtime and the store were loaded
    expect(loaded.some((u) => u.endsWith('/src/runtime.ts'))).toBe(true)
    expect(loaded.some((u) => u.endsWith('/src/store/lowdb/partitioned-store.ts'))).toBe(true)
    expect(
      loaded.filter((u) => /\/node_modules\/prom-client\/|\/src\/util\/metrics\.ts$/.test(u)),
    ).toEqual([])
  }, 60_000)

  it('fetch --once loads pino for its first log line, and re2js is loaded for a regular expression only', () => {
    const dir = tempDir()
    const config = join(dir, 'topicwire.yaml')
    // a source that refuses the connection: its failure is a warning, the cycle's end an info line
    const rules = (match: string) =>
      `storage: { path: data/db.json }\nfetch: { allow_private_networks: true }\nsources:\n  - { id: closed, url: "http://127.0.0.1:9/feed.xml" }\ntopics:\n  border: { title: Border, match: { any: [${match}] } }\n`
    const pino = /\/node_modules\/pino\//
    const re2js = /\/node_modules\/re2js\//
    const fetchOnce = ['fetch', '--once', '--config', config]
    // cron's poll: nothing logged at `error`, plain terms
    writeFileSync(config, rules('Torkham, Chaman'))
    expect(modulesOf(fetchOnce).filter((u) => pino.test(u) || re2js.test(u))).toEqual([])
    expect(modulesOf(fetchOnce, 0, { LOG_LEVEL: 'warn' }).some((u) => pino.test(u))).toBe(true)
    // a rule with a regular expression, compiled by check
    writeFileSync(config, rules('Torkham, /Chama+n/i'))
    expect(modulesOf(['check', '--config', config]).some((u) => re2js.test(u))).toBe(true)
  }, 60_000)

  it('a configuration the cache answers for is read without the YAML reader or the schema', () => {
    const dir = tempDir()
    const config = join(dir, 'topicwire.yaml')
    writeFileSync(config, 'sources:\n  - { id: one, url: "https://one.example/feed.xml" }\n')
    const cache = { dir: join(dir, 'cache'), fingerprint: 'test build' }
    const script = `const { readConfigFile } = await import('./src/config/config-file.ts'); const { topicProblems } = await import('./src/config/topic-problems.ts'); const c = await readConfigFile(${JSON.stringify(config)}, {}, topicProblems, ${JSON.stringify(cache)}); console.error('sources ' + c.sources.map((s) => s.id).join(','))`
    const run = () => {
      const out = spawnSync(
        process.execPath,
        ['--import', './tests/helpers/module-log.mjs', '--import', 'tsx', '--input-type=module'],
        { cwd: ROOT, input: script, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      )
      expect(out.stderr).toContain('sources one')
      const urls = [...out.stderr.matchAll(/^module-log (\S+)$/gm)].map((m) => m[1] ?? '')
      return urls.slice(urls.findIndex((u) => u.endsWith('/src/config/config-file.ts')))
    }
    const reader = /\/node_modules\/yaml\/|\/src\/config\/(read-config|schema)\.ts$/
    // the first read fills the cache the full way, the second is answered by it
    expect(run().filter((u) => reader.test(u)).length).toBeGreaterThan(0)
    expect(run().filter((u) => reader.test(u))).toEqual([])
  }, 60_000)
})
