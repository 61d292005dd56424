/**
 * A real `serve` killed with SIGKILL in the middle of its poll cycles while a loopback publisher
 * adds items at every poll: after each restart, every item a reader was ever shown is still there.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/ports.js'

const BIN = resolve(import.meta.dirname, '../../bin/topicwire.js')
const FAST = ['fast-a', 'fast-b', 'fast-c']
const ROUNDS = 4

let dir = ''
let publisher: Server | undefined
let proc: ChildProcess | undefined

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL')
  publisher?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** One RSS document of a feed's items, newest first. */
const rss = (name: string, items: number[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>http://example.org/${name}</link><description>d</description>${items
    .map(
      (n) =>
        `<item><title>${name} report ${n} on the Torkham crossing</title><link>http://example.org/${name}/${n}</link><guid>http://example.org/${name}/${n}</guid><description>Report ${n} of ${name}.</description><pubDate>${new Date(Date.now() - (100 - n) * 1000).toUTCString()}</pubDate></item>`,
    )
    .join('')}</channel></rss>`

/** Waits (a bounded number of times) until `check` holds. */
const until = async (check: () => boolean | Promise<boolean>, what: string, logs: () => string) => {
  for (let i = 0; i < 600; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`${what} did not happen; logs: ${logs()}`)
}

describe('serve killed with SIGKILL mid-cycle', () => {
  it('never loses an item a reader has seen', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-crash-'))
    // Every poll of a feed publishes one more item; the slow feed holds each cycle open, so the
    // fast feeds' items are shown to readers while their cycle has not ended.
    const published = new Map<string, number[]>()
    let slowWaiting = 0
    publisher = createServer((req, res) => {
      const name = (req.url ?? '').replace(/^\/|\.rss$/g, '')
      const list = published.get(name) ?? []
      list.push(list.length + 1)
      published.set(name, list)
      const send = () => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' })
        res.end(rss(name, list.slice(-20).reverse()))
      }
      if (name !== 'slow') return send()
      slowWaiting++
      setTimeout(() => {
        slowWaiting--
        send()
      }, 3_000)
    })
    await new Promise<void>((r) => publisher!.listen(0, '127.0.0.1', r))
    const feeds = `http://127.0.0.1:${(publisher.address() as { port: number }).port}`
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const config = join(dir, 'topicwire.yaml')
    await writeFile(
      config,
      [
        `server: { port: ${port}, base_url: "${base}" }`,
        `storage: { path: ${join(dir, 'db.json')} }`,
        'fetch: { every: 1s, timeout: 10s, allow_private_networks: true }',
        'sources:',
        ...[...FAST, 'slow'].map(
          (id) => `  - { id: ${id}, title: ${id}, url: ${feeds}/${id}.rss }`,
        ),
        'topics:',
        '  border: { title: Border, match: Torkham }',
        '',
      ].join('\n'),
    )

    const seen = new Set<string>()
    const stored = async (): Promise<Set<string> | undefined> => {
      try {
        const res = await fetch(`${base}/api/items?limit=500&clusters=all`)
        if (!res.ok) return undefined
        const body = (await res.json()) as { items: { id: string }[] }
        return new Set(body.items.map((i) => i.id))
      } catch {
        return undefined // not listening yet, or killed
      }
    }
    for (let round = 0; round <= ROUNDS; round++) {
      let logs = ''
      proc = spawn(process.execPath, [BIN, 'serve', '--config', config], {
        env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), BASE_URL: base },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      proc.stderr?.on('data', (d) => {
        logs += String(d)
      })
      let first: Set<string> | undefined
      await until(
        async () => {
          first = await stored()
          return first !== undefined
        },
        'serve answering',
        () => logs,
      )
      // Whatever the killed process showed is there from the first answer on.
      const lost = [...seen].filter((id) => !first!.has(id))
      expect(lost, `round ${round}: lost after restart`).toEqual([])
      if (round === ROUNDS) break
      const before = seen.size
      // Read until this cycle's fast items are shown while the slow source is still polled: then kill.
      await until(
        async () => {
          const now = await stored()
          for (const id of now ?? []) seen.add(id)
          return seen.size >= before + FAST.length && slowWaiting > 0
        },
        `round ${round}: new items shown mid-cycle`,
        () => logs,
      )
      proc.kill('SIGKILL')
      await new Promise((r) => proc!.once('close', r))
    }
    expect(seen.size).toBeGreaterThanOrEqual(ROUNDS * FAST.length)
    proc!.kill('SIGTERM')
    await new Promise((r) => proc!.once('close', r))
  }, 180_000)
})
