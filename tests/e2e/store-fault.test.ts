/**
 * A real lowdb write failure, end to end: a `serve` whose store folder stops being writable (its
 * items folder made immutable with `chattr +i`, a fault root cannot ignore as it ignores modes,
 * while everything in it stays readable) fails /readyz,
 * counts the failed writes in /metrics and logs one line a cycle; once the fault is removed the
 * next cycle writes everything, including what was polled during the fault, and /readyz recovers.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/ports.js'

const BIN = resolve(import.meta.dirname, '../../bin/topicwire.js')
const TOKEN = 'fault-test-token'

let dir: string
let feeds: Server
let proc: ChildProcess
let base: string
let logs = ''
/** Each poll of the feed publishes one more item: every cycle has something new to write. */
let published = 1

const feed = () =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>http://f.test/</link>${Array.from(
    { length: published },
    (_, i) =>
      `<item><guid>fault-item-${i}</guid><title>Story ${i}</title><link>http://f.test/${i}</link></item>`,
  ).join('')}</channel></rss>`

/** One cycle now, as the admin route runs it (scheduler.runOnce: poll, then flush). */
const refresh = async () => {
  const res = await fetch(`${base}/api/sources/f/refresh`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  })
  expect(res.status).toBe(200)
  published++
}

const ready = async () => {
  const res = await fetch(`${base}/readyz`)
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } }
}

const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text()
  return Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1] ?? Number.NaN)
}

/**
 * Sets or clears the immutable attribute of the items folder: no entry can be created or renamed
 * in it, even by root (EPERM), while the files in it stay readable. Needs a file system with
 * attributes (ext4, xfs, btrfs: the temp folder here); tmpfs would fail this loudly.
 */
const immutable = (on: boolean) =>
  execFileSync('chattr', [on ? '+i' : '-i', join(dir, 'db', 'items')], { stdio: 'pipe' })

const logLines = (msg: string) => logs.split('\n').filter((l) => l.includes(msg))

/** The guids in the store's day documents on disk. */
const storedGuids = async (): Promise<string[]> => {
  const days = join(dir, 'db', 'items')
  const docs = await Promise.all(
    (await readdir(days))
      .filter((f) => !f.startsWith('.')) // not a write in progress (its dot-named temp file)
      .map(async (f) => JSON.parse(await readFile(join(days, f), 'utf8'))),
  )
  return docs.flatMap((d: { items: { guid: string }[] }) => d.items.map((i) => i.guid)).sort()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-fault-'))
  feeds = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' })
    res.end(feed())
  })
  feeds.listen(0, '127.0.0.1')
  await new Promise((r) => feeds.once('listening', r))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const url = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}/feed`
  await writeFile(
    join(dir, 'topicwire.yaml'),
    [
      `server: { port: ${port} }`,
      `storage: { path: ${join(dir, 'db.json')} }`,
      // Polled only when the test asks (a day between scheduled polls).
      'fetch: { every: 24h, allow_private_networks: true }',
      'sources:',
      `  - { id: f, url: "${url}" }`,
      'topics: {}',
    ].join('\n'),
  )
  proc = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'topicwire.yaml')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      PORT: String(port),
      BASE_URL: base,
      ADMIN_TOKEN: TOKEN,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  proc.stderr?.on('data', (d) => {
    logs += String(d)
  })
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`serve exited: ${logs}`)
    if (logLines('poll cycle finished').length > 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  published++
}, 90_000)

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL')
  // Cleared whatever the tests reached, or the folder cannot be removed (set-up may have failed first).
  try {
    immutable(false)
  } catch {
    // no items folder yet: nothing to clear
  }
  await new Promise((r) => feeds?.close(r))
  await rm(dir, { recursive: true, force: true })
})

describe('serve when the store cannot write', { timeout: 60_000 }, () => {
  it('is ready and has written the first cycle', async () => {
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready' } })
    expect(await storedGuids()).toEqual(['fault-item-0'])
    expect(await metric('topicwire_store_write_failures_total')).toBe(0)
  })

  // The scheduler also ticks every 15 s, and a tick's cycle flushes too (the next flush retries
  // what one could not write): a tick that falls inside the fault adds a failure of its own. So
  // the counts below are at least one per refresh, never exact.
  it('fails /readyz, counts each failed write and logs one line a cycle while it cannot write', async () => {
    // Every day's write fails (EPERM); what is stored stays readable, and readers are served.
    immutable(true)
    const before = logs.length
    await refresh()
    const r = await ready()
    expect(r.status).toBe(503)
    expect(r.body).toMatchObject({
      status: 'not ready',
      reason: expect.stringMatching(/cannot write/),
    })
    const first = await metric('topicwire_store_write_failures_total')
    expect(first).toBeGreaterThanOrEqual(1)
    expect(await metric('topicwire_store_write_failing')).toBe(1)
    await refresh()
    expect(await metric('topicwire_store_write_failures_total')).toBeGreaterThanOrEqual(first + 1)
    expect((await ready()).status).toBe(503)
    const during = logs.slice(before).split('\n').filter(Boolean)
    const failures = during.filter((l) => l.includes('poll cycle not written'))
    // One line a failed cycle: as many lines as failures counted by now (a tick may add both).
    expect(failures.length).toBeGreaterThanOrEqual(2)
    expect(failures.length).toBeLessThanOrEqual(
      await metric('topicwire_store_write_failures_total'),
    )
    // One line each, naming the folder: no stack trace, here or in any other line of the fault.
    for (const line of failures) expect(line).toMatch(/cannot write .*db/)
    expect(during.some((l) => /"stack"|\n\s+at /.test(l))).toBe(false)
    // Served from memory all along.
    const api = (await (
      await fetch(`${base}/api/items?source=f&clusters=all&limit=10`)
    ).json()) as {
      items: unknown[]
    }
    expect(api.items).toHaveLength(3)
  })

  it('writes everything at the next cycle once the fault is gone, and is ready again', async () => {
    immutable(false)
    expect(await storedGuids()).toEqual(['fault-item-0'])
    await refresh()
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready' } })
    expect(await metric('topicwire_store_write_failing')).toBe(0)
    const failed = await metric('topicwire_store_write_failures_total')
    expect(failed).toBeGreaterThanOrEqual(2)
    // Items polled before and during the fault are all on disk: none was lost.
    expect(await storedGuids()).toEqual(
      ['fault-item-0', 'fault-item-1', 'fault-item-2', 'fault-item-3'].sort(),
    )
    // Writable again: a further cycle (with one more item) adds no failure.
    await refresh()
    expect(await metric('topicwire_store_write_failures_total')).toBe(failed)
    expect(await storedGuids()).toContain('fault-item-4')
  })
})
