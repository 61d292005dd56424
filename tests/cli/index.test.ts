import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FEEDS_DIR } from '../../src/cli/demo.js'
import { type FeedServer, startFeedServer } from '../../src/cli/feed-server.js'
import { COMMAND_HELP } from '../../src/cli/index.js'
import { runCli } from '../helpers/cli.js'

const SHIPPED = resolve(import.meta.dirname, '../../config/topicwire.yaml')

const run = runCli

let dir: string
let feeds: FeedServer
let closedPort: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-cli-'))
  feeds = await startFeedServer(DEMO_FEEDS_DIR)
  // A port that was free a moment ago: connections to it are refused.
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  closedPort = (probe.address() as AddressInfo).port
  await new Promise((r) => probe.close(r))
})
afterAll(async () => {
  await feeds.close()
  await rm(dir, { recursive: true, force: true })
})

/** A config with one good loopback source and one that refuses connections. */
const writeConfig = async (name: string, dbPath: string) => {
  const file = join(dir, name)
  await writeFile(
    file,
    `storage:
  path: ${dbPath}
  retention: { max_age_days: 3650 }
fetch:
  allow_private_networks: true
sources:
  - id: pk-daily
    url: ${feeds.url}/pk-daily.rss
  - id: down
    url: http://127.0.0.1:${closedPort}/feed.xml
topics:
  talks:
    match: { any: [Istanbul] }
`,
  )
  return file
}

describe('topicwire check', () => {
  it('accepts the shipped configuration', async () => {
    const r = await run(['check', '--config', SHIPPED])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/OK \(13 sources, 5 topics, 5 feeds\)/)
  })

  it('prints every error with file:line:col and exits 1', async () => {
    const file = join(dir, 'bad.yaml')
    await writeFile(file, 'sources:\n  - id: x\n    url: dawn.com/feed\n    evry: 5m\n')
    const r = await run(['check', '--config', file])
    expect(r.code).toBe(1)
    expect(r.err).toContain(
      `${file}:3:10: "url" must be an absolute http(s) URL, got "dawn.com/feed"`,
    )
    expect(r.err).toContain(`${file}:4:5: unknown key "evry" in sources[0] (did you mean "every"?)`)
  })

  it('reads the path from TOPICWIRE_CONFIG', async () => {
    const r = await run(['check'], { TOPICWIRE_CONFIG: join(dir, 'missing.yaml') })
    expect(r.code).toBe(1)
    expect(r.err).toContain('missing.yaml')
  })
})

describe('topicwire fetch --once', () => {
  it('polls, prints a per-source table and exits 0 even when a source fails', async () => {
    const db = join(dir, 'fetch.json')
    const file = await writeConfig('fetch.yaml', db)
    const r = await run(['fetch', '--once', '--config', file])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^pk-daily\s+ok\s+\d+\s+0\s+0/m)
    expect(r.out).toMatch(
      /^down\s+error\s+0\s+0\s+0\s+could not connect to http:\/\/127\.0\.0\.1:\d+\/feed\.xml: connection refused/m,
    )
    expect(r.out).toMatch(/2 sources: \d+ new, 0 updated, 0 unchanged, 0 not modified, 1 failed/)
    // storage.path fetch.json: the partitions live in fetch/items/, one file per day.
    const days = await readdir(join(dir, 'fetch', 'items'))
    expect(days.length).toBeGreaterThan(0)
    const stored = JSON.parse(await readFile(join(dir, 'fetch', 'items', days[0]!), 'utf8')) as {
      items: unknown[]
    }
    expect(stored.items.length).toBeGreaterThan(0)
    const one = await run(['fetch', '--once', '--source', 'pk-daily', '--config', file])
    expect(one.out).toMatch(/1 sources: 0 new, 0 updated, 0 unchanged, 1 not modified, 0 failed/)
  })

  it('refuses an unknown --source', async () => {
    const file = await writeConfig('fetch2.yaml', join(dir, 'fetch2.json'))
    const r = await run(['fetch', '--once', '--source', 'nope', '--config', file])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/unknown source "nope"; known: pk-daily, down/)
  })

  it('refuses to start on an unreadable store and leaves the file untouched', async () => {
    const db = join(dir, 'corrupt.json')
    const bytes = '{"version":1,"states":{},"items":[ truncated'
    await writeFile(db, bytes)
    const file = await writeConfig('corrupt.yaml', db)
    const r = await run(['fetch', '--once', '--config', file])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/not valid JSON/)
    expect(r.err).toMatch(/will not overwrite/)
    expect(await readFile(db, 'utf8')).toBe(bytes)
  })
})

describe('usage', () => {
  it.each([
    [['fetch'], 2, /needs --once/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['check', '--nope'], 2, /Unknown option '--nope'/],
    [[], 2, /Usage: topicwire/],
  ])('%j exits %i', async (argv, code, message) => {
    const r = await run(argv)
    expect(r.code).toBe(code)
    expect(`${r.out}${r.err}`).toMatch(message)
  })
})

describe('help', () => {
  it.each([['--help'], ['-h'], ['help']])(
    '%s prints the usage and every command, exit 0',
    async (flag) => {
      const r = await run([flag])
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/^Usage: topicwire <command>/)
      for (const command of Object.keys(COMMAND_HELP)) expect(r.out).toContain(`  ${command}`)
    },
  )

  it('without a command prints the usage as a usage error, exit 2', async () => {
    const r = await run([])
    expect(r.code).toBe(2)
    expect(r.out).toMatch(/^Usage: topicwire <command>/)
  })

  it.each(Object.keys(COMMAND_HELP))(
    'help %s and %s --help print that command in detail, nothing else runs',
    async (command) => {
      // A configuration that does not exist: a command that ran would fail with exit 1.
      const env = { TOPICWIRE_CONFIG: join(dir, 'no-such-file.yaml') }
      const byHelp = await run(['help', command], env)
      const byFlag = await run([command, '--help'], env)
      expect(byHelp).toEqual({ code: 0, out: COMMAND_HELP[command], err: '' })
      expect(byFlag).toEqual(byHelp)
      expect(byHelp.out).toMatch(new RegExp(`^Usage: topicwire ${command}`))
    },
  )

  it('help for a command that does not exist is a usage error naming it', async () => {
    const r = await run(['help', 'serv'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('no help for "serv": there is no such command')
  })
})
