/** Logs of a real `fetch --once` process whose stderr is a pipe: one JSON object a line, poll lines naming their source. */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/ports.js'

const BIN = resolve(import.meta.dirname, '../../bin/topicwire.js')

let dir: string
let server: Server
let feedUrl: string
let closedUrl: string

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback</title><link>http://example.org/</link><description>d</description>
<item><title>Torkham reopens</title><link>http://example.org/1</link><guid>http://example.org/1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-logs-'))
  server = createServer((_, res) =>
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(RSS),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`
  // Free a moment ago: connections to it are refused.
  closedUrl = `http://127.0.0.1:${await freePort()}/feed.xml`
})

afterAll(async () => {
  await new Promise((r) => server.close(r))
  await rm(dir, { recursive: true, force: true })
})

/** Runs `topicwire args…` with stderr on a pipe (not a terminal); resolves with its exit code and stderr. */
const run = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; stderr: string }>((ok) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('close', (code) => ok({ code, stderr }))
  })

describe('logs of a real process, stderr not a terminal', () => {
  it('are one JSON object a line, and every poll and error line carries the source id', async () => {
    const file = join(dir, 'topicwire.yaml')
    await writeFile(
      file,
      `storage: { path: ${join(dir, 'db.json')} }\nfetch: { allow_private_networks: true, workers: 1 }\nsources:\n  - { id: good, title: Good, url: "${feedUrl}" }\n  - { id: refused, title: Refused, url: "${closedUrl}" }\ntopics:\n  trade: { title: Trade, match: Torkham }\n`,
    )
    const { code, stderr } = await run(['fetch', '--once', '--config', file], {
      LOG_LEVEL: 'debug',
    })
    expect(code).toBe(0)
    const lines = stderr.trimEnd().split('\n')
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(entries.every((e) => typeof e.level === 'number' && typeof e.msg === 'string')).toBe(
      true,
    )
    const polled = entries.filter((e) => e.msg === 'source polled')
    const failed = entries.filter((e) => e.msg === 'source poll failed')
    expect(polled.map((e) => e.sourceId)).toEqual(['good'])
    expect(failed.map((e) => e.sourceId)).toEqual(['refused'])
    for (const e of entries.filter((e) => (e.level as number) >= 40))
      expect(e, JSON.stringify(e)).toHaveProperty('sourceId')
  }, 60_000)

  it('an unknown LOG_LEVEL stops the command with an error naming it', async () => {
    const file = join(dir, 'empty.yaml')
    await writeFile(file, `storage: { path: ${join(dir, 'db2.json')} }\nsources: []\n`)
    const { code, stderr } = await run(['fetch', '--once', '--config', file], {
      LOG_LEVEL: 'verbose',
    })
    expect(code).toBe(1)
    expect(stderr).toContain(
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent; got "verbose"',
    )
  }, 60_000)
})
