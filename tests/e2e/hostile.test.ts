/**
 * Hostile sources against a real `topicwire serve` process: every attack in one cycle, next to
 * ordinary feeds that must still be polled and stored; the process keeps answering, its peak
 * memory (VmHWM from /proc) stays under the target, and SIGTERM ends it in time.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/ports.js'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'bin/topicwire.js')

/** Newest modification time under `dir` (bin/topicwire.js's rule for a stale build). */
const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const path = join(dir, e.name)
    return Math.max(t, e.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }, 0)

/**
 * Whether bin/topicwire.js runs the compiled dist/ (what `npm ci` builds and a deployment runs) or,
 * in a checkout whose src/ changed since the build, the TypeScript through tsx.
 */
const compiled = ((): boolean => {
  try {
    return newest(join(ROOT, 'src')) <= statSync(join(ROOT, 'dist/.build-stamp')).mtimeMs
  } catch {
    return false
  }
})()

/**
 * Issue 15's target for the peak resident memory of the whole hostile set: 300 MB, for the
 * compiled program (~240 MB measured here; 290 MB before the workers' heaps were capped, 386 MB
 * under tsx). Under tsx every thread also holds the loader and its compiled sources (tsx's hooks
 * run on a thread of their own for the main thread and for each worker): ~90 MB more, measured
 * as the difference between the two ways of running the same set (332 MB against 240 MB).
 */
const PEAK_RSS_TARGET_MB = compiled ? 300 : 300 + 100
const FETCH_TIMEOUT_S = 4

const rss = (items: string) =>
  `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Feed</title><link>http://feeds.test/</link>${items}</channel></rss>`
const item = (id: string, title: string, description = 'Talks on the Torkham crossing') =>
  `<item><guid>${id}</guid><title>${title}</title><link>http://feeds.test/${id}</link><description>${description}</description></item>`
const nested = (depth: number) => `${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}`

/** Each hostile document, generated here (nothing large is committed). */
const documents = (): Record<string, (res: import('node:http').ServerResponse) => void> => {
  const send =
    (body: string | Buffer, headers: Record<string, string> = {}) =>
    (res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', ...headers })
      res.end(body)
    }
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`,
    ).join('') +
    '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
    `<rss version="2.0"><channel><title>&lol9;</title>${item('l', 'Laughs &xxe;')}</channel></rss>`
  const good = (n: number) =>
    send(
      rss(
        Array.from({ length: 5 }, (_, i) =>
          item(`good-${n}-${i}`, `Pakistan and Afghanistan story ${n}.${i}`),
        ).join(''),
      ),
    )
  return {
    'good-1': good(1),
    'good-2': good(2),
    'good-3': good(3),
    'nested-2k': send(rss(item('n2', 'Nested 2k', nested(2_000)))),
    'nested-16k': send(rss(item('n16', 'Nested 16k', nested(16_000)))),
    'nested-200k': send(
      rss(item('n200', 'Nested 200k', nested(200_000)) + item('n200b', 'After the nesting')),
    ),
    'huge-title': send(rss(item('t', 'Kabul '.repeat(1_500_000)))), // 9 MB
    'huge-fields': send(
      rss(
        `<item><guid>f</guid><title>Fields</title>${'<category>c</category>'.repeat(20_000)}` +
          `${'<enclosure url="http://feeds.test/a.mp3" type="audio/mpeg"/>'.repeat(5_000)}</item>`,
      ),
    ),
    'ten-thousand': send(
      rss(Array.from({ length: 10_000 }, (_, i) => item(`k${i}`, `Item ${i}`)).join('')),
    ),
    'big-body': send(Buffer.alloc(50 * 1024 * 1024, 0x20)),
    'gzip-bomb': send(gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20)), {
      'content-encoding': 'gzip',
    }),
    laughs: send(laughs),
    html: send('<!DOCTYPE html><html><body>Not a feed</body></html>', {
      'content-type': 'text/html',
    }),
    'bad-utf8': send(
      Buffer.concat([Buffer.from(rss(item('u', 'Bad '))), Buffer.from([0xff, 0xfe, 0xc3])]),
    ),
    drip: (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' })
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>')
      const t = setInterval(() => res.write('<!-- drip -->'), 200)
      res.on('close', () => clearInterval(t))
    },
    loop: (res) => {
      res.writeHead(302, { location: '/loop' })
      res.end()
    },
  }
}

let dir: string
let feeds: Server
let proc: ChildProcess
let base: string
let stderr = ''
let probes = { sent: 0, answered: 0, slowestMs: 0 }
const HOSTILE = Object.keys(documents())

const peakRssMb = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? Number.NaN) / 1024
}

interface SourceView {
  id: string
  items: number
  health: {
    status: string
    lastFetchAt?: string
    lastError?: { code: string; message: string }
    recoveredFrom: string[]
  }
}
const sources = async (): Promise<SourceView[]> =>
  ((await (await fetch(`${base}/api/sources`)).json()) as { sources: SourceView[] }).sources

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-hostile-'))
  const docs = documents()
  feeds = createServer((req, res) => {
    const answer = docs[(req.url ?? '').slice(1)]
    if (answer) answer(res)
    else res.writeHead(404).end()
  })
  feeds.listen(0, '127.0.0.1')
  await new Promise((r) => feeds.once('listening', r))
  const feedsUrl = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const yaml = [
    'server:',
    `  port: ${port}`,
    'storage:',
    `  path: ${join(dir, 'db.json')}`,
    'fetch:',
    `  timeout: ${FETCH_TIMEOUT_S}s`,
    '  max_bytes: 10MB',
    '  allow_private_networks: true',
    'sources:',
    ...HOSTILE.map((id) => `  - { id: ${id}, url: "${feedsUrl}/${id}" }`),
    'topics: {}',
  ].join('\n')
  await writeFile(join(dir, 'topicwire.yaml'), yaml)
  proc = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'topicwire.yaml')], {
    // Vitest's own BASE_URL ("/") must not reach the configuration.
    env: { ...process.env, LOG_LEVEL: 'error', PORT: String(port), BASE_URL: base },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  proc.stderr?.on('data', (d) => {
    stderr += String(d)
  })
  // Probe /healthz all along the first cycle; it ends when every source has been polled.
  probes = { sent: 0, answered: 0, slowestMs: 0 }
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`serve exited: ${stderr}`)
    const t0 = performance.now()
    // Counted from the first answer (before it, the process is still starting).
    if (probes.answered > 0) probes.sent++
    // Not a performance bound: a probe still unanswered after 2 s means a blocked event loop.
    const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) {
      if (probes.answered === 0) probes.sent++
      probes.answered++
      probes.slowestMs = Math.max(probes.slowestMs, performance.now() - t0)
      const all = await sources().catch(() => [])
      if (all.length === HOSTILE.length && all.every((s) => s.health.lastFetchAt)) break
    } else if (probes.answered > 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
}, 120_000)

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL')
  await new Promise((r) => feeds?.close(r))
  feeds?.closeAllConnections()
  await rm(dir, { recursive: true, force: true })
})

describe('serve under hostile sources', { timeout: 60_000 }, () => {
  it('polls every source in the first cycle and stores the ordinary ones', async () => {
    const all = await sources()
    expect(all.map((s) => s.id).sort()).toEqual([...HOSTILE].sort())
    for (const s of all) expect(s.health.lastFetchAt, s.id).toBeDefined()
    const byId = new Map(all.map((s) => [s.id, s]))
    for (const id of ['good-1', 'good-2', 'good-3']) {
      expect(byId.get(id)?.items, id).toBe(5)
      expect(byId.get(id)?.health.status, id).toBe('ok')
    }
    expect(byId.get('ten-thousand')?.items).toBeGreaterThan(0)
    expect(byId.get('nested-200k')?.items).toBe(2)
    expect(byId.get('nested-200k')?.health.recoveredFrom.join()).toMatch(
      /markup nested deeper than/,
    )
    expect(byId.get('huge-title')?.health.recoveredFrom.join()).toMatch(/title in 1 item/)
    for (const id of ['big-body', 'gzip-bomb', 'html', 'drip', 'loop'])
      expect(byId.get(id)?.health.status, id).not.toBe('ok')
    // The cycle was written: the store's day documents (data/db/items/) hold the ordinary
    // sources' items.
    const days = join(dir, 'db', 'items')
    const wanted = ['good-1-0', 'good-2-4', 'good-3-2']
    // The set-up ends once every source was polled, which is before the cycle's end writes the
    // days (a cycle of 10,000 items over many days): wait for that write, up to 30 s.
    let written = ''
    for (let i = 0; i < 300 && !wanted.every((id) => written.includes(id)); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100))
      // Day documents only: a write in progress (a later cycle's) has a dot-named temp file.
      const documents = (await readdir(days)).filter((f) => !f.startsWith('.'))
      written = (await Promise.all(documents.map((f) => readFile(join(days, f), 'utf8')))).join(
        '\n',
      )
    }
    for (const id of wanted) expect(written).toContain(id)
  })

  it('answered /healthz throughout the cycle', () => {
    expect(probes.answered).toBe(probes.sent)
    expect(probes.sent).toBeGreaterThan(1)
    console.info(
      `hostile e2e: ${probes.sent} /healthz probes, slowest ${probes.slowestMs.toFixed(0)} ms`,
    )
  })

  it(`stays under ${PEAK_RSS_TARGET_MB} MB of peak resident memory`, async () => {
    const peak = await peakRssMb(proc.pid as number)
    console.info(
      `hostile e2e: peak RSS ${peak.toFixed(0)} MB (${compiled ? 'compiled dist/' : 'src/ through tsx'})`,
    )
    expect(peak).toBeLessThanOrEqual(PEAK_RSS_TARGET_MB)
  })

  it('exits on SIGTERM within fetch.timeout plus a few seconds', async () => {
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    proc.kill('SIGTERM')
    const code = await Promise.race([
      exited,
      new Promise<'late'>((r) => setTimeout(() => r('late'), (FETCH_TIMEOUT_S + 10) * 1000)),
    ])
    expect(code, stderr).toBe(0)
  })
})

describe('SIGTERM while a worker is busy on hostile documents', { timeout: 90_000 }, () => {
  /** Long enough that exiting on the old forced-exit path would show (and exit with code 1). */
  const TIMEOUT_S = 20
  it(`exits cleanly (code 0) before fetch.timeout (${TIMEOUT_S} s) has passed`, async () => {
    const work = await mkdtemp(join(tmpdir(), 'topicwire-sigterm-'))
    const heavy = documents()['huge-fields'] as (res: import('node:http').ServerResponse) => void
    const drip = documents().drip as (res: import('node:http').ServerResponse) => void
    let served = 0
    const server = createServer((req, res) => {
      if (req.url === '/drip') return drip(res)
      served++
      heavy(res)
    })
    server.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const port = await freePort()
    // One worker with a long analysis deadline and a queue of slow documents: when the signal
    // comes it is working on one, the others wait, and the drip holds a fetch open.
    const ids = Array.from({ length: 8 }, (_, i) => `heavy-${i}`)
    await writeFile(
      join(work, 'topicwire.yaml'),
      [
        `server: { port: ${port} }`,
        `storage: { path: ${join(work, 'db.json')} }`,
        `fetch: { timeout: ${TIMEOUT_S}s, analysis_timeout: 120s, workers: 1, per_host: 16, allow_private_networks: true }`,
        'sources:',
        `  - { id: drip, url: "${url}/drip" }`,
        ...ids.map((id) => `  - { id: ${id}, url: "${url}/${id}" }`),
        'topics: {}',
      ].join('\n'),
    )
    let err = ''
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--config', join(work, 'topicwire.yaml')],
      {
        env: { ...process.env, LOG_LEVEL: 'error', PORT: String(port), BASE_URL: url },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    child.stderr?.on('data', (d) => {
      err += String(d)
    })
    try {
      for (let i = 0; i < 600 && served < ids.length; i++)
        await new Promise((r) => setTimeout(r, 100))
      expect(served, err).toBe(ids.length)
      // Every document fetched, the worker on the first of them (each takes a second or more).
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
      const t0 = performance.now()
      child.kill('SIGTERM')
      const code = await Promise.race([
        exited,
        new Promise<'late'>((r) => setTimeout(() => r('late'), (TIMEOUT_S + 10) * 1000)),
      ])
      const seconds = (performance.now() - t0) / 1000
      console.info(`hostile e2e: SIGTERM with a busy worker, exited in ${seconds.toFixed(1)} s`)
      // 0: the cycle was cancelled and written, not abandoned by the forced exit (code 1) that
      // comes at fetch.timeout + 5 s. Sooner than fetch.timeout: the drip's fetch, which nothing
      // else would end before it, was cancelled, and so was the worker's document.
      expect(code, err).toBe(0)
      expect(seconds).toBeLessThan(TIMEOUT_S)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await rm(work, { recursive: true, force: true })
    }
  })
})
