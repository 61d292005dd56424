/**
 * `npm run bench start`: what a user waits for and what the process holds, each command as its own
 * `node bin/topicwire.js` process against `node -e 0` as the floor: --version, check, export-opml,
 * fetch --once of 20 loopback feeds that answer 304, serve until /readyz answers (shipped
 * configuration, empty store) and serve idle; then a cold fetch --once of 1,000 loopback feeds of
 * 50 items. Wall time is the median of RUNS; memory is the kernel's peak RSS (VmHWM, every thread
 * of the process) and, for serve, VmRSS once idle.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/topicwire.js')
const SHIPPED = join(ROOT, 'config/topicwire.yaml')
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const COLD_FEEDS = Number(process.env.BENCH_COLD_FEEDS ?? 1000)
/** `BENCH_START_ONLY=cold`: only the cold fetch --once (what memory work measures). */
const ONLY_COLD = process.env.BENCH_START_ONLY === 'cold'
/** `BENCH_COLD_NODE_ARGS='--import ./sampler.mjs'`: node options of the cold fetch only (to look inside it). */
const COLD_NODE_ARGS = (process.env.BENCH_COLD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)

/** Targets of issue 21 on a 2-core machine. */
const TARGETS = {
  versionRatio: 2,
  checkS: 0.5,
  serveReadyS: 1.5,
  serveIdleMb: 150,
  coldPeakMb: 300,
}

interface Run {
  seconds: number
  /** Peak resident set (kB) of the child, all threads: `ru_maxrss`, what VmHWM ends at. */
  peakKb: number
  /** CPU seconds of the child, user + system: steadier than wall time on a shared machine. */
  cpuSeconds: number
}

/**
 * Runs `node args…` to its end through /usr/bin/time, which reports the child's peak RSS. Async, so
 * that the loopback publisher in this process keeps answering while the child polls it.
 */
const timed = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise<Run>((ok, fail) => {
    const started = performance.now()
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    child.stderr.on('data', (d) => {
      err += d
    })
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000
      if (code !== 0) fail(new Error(`node ${args.join(' ')} failed (${code}): ${err}`))
      else {
        const [peakKb, user, sys] = (err.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
        ok({ seconds, peakKb: peakKb ?? NaN, cpuSeconds: (user ?? NaN) + (sys ?? NaN) })
      }
    })
  })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const repeat = async (args: string[], env?: Record<string, string>): Promise<Run> => {
  const runs: Run[] = []
  for (let i = 0; i < RUNS; i++) runs.push(await timed(args, env))
  return {
    seconds: median(runs.map((r) => r.seconds)),
    peakKb: median(runs.map((r) => r.peakKb)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
  }
}

/** A publisher of `n` RSS feeds of `items` items each, with ETags: 304 when asked with the same one. */
const publisher = async (n: number, items: number): Promise<{ url: string; server: Server }> => {
  const para =
    'Officials of both countries met at the crossing to discuss transit trade, customs and the queues of trucks; <a href="https://news.example.org/x">details</a>. '
  const feed = (f: number) => {
    const entries = Array.from(
      { length: items },
      (_, i) =>
        `<item><title>Feed ${f} report ${i}: Torkham trade talks continue</title><link>https://news.example.org/${f}/${i}</link><guid>https://news.example.org/${f}/${i}</guid><pubDate>${new Date(Date.UTC(2026, 10, 1) - i * 3_600_000).toUTCString()}</pubDate><description><![CDATA[<p>${para.repeat(7)}</p>]]></description></item>`,
    ).join('')
    return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed ${f}</title><link>https://news.example.org/${f}</link><description>d</description>${entries}</channel></rss>`
  }
  const bodies = Array.from({ length: n }, (_, f) => Buffer.from(feed(f)))
  const server = createServer((req, res) => {
    const f = Number(/^\/(\d+)\.rss$/.exec(req.url ?? '')?.[1] ?? -1)
    const body = bodies[f]
    if (!body) {
      res.writeHead(404).end()
      return
    }
    const etag = `"f${f}"`
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag }).end()
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/rss+xml', ETag: etag }).end(body)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

/** A configuration of `n` loopback sources, its store in `dir`. */
const loopbackConfig = async (dir: string, url: string, n: number): Promise<string> => {
  const sources = Array.from(
    { length: n },
    (_, f) => `  - { id: feed-${f}, title: Feed ${f}, url: ${url}/${f}.rss }`,
  ).join('\n')
  const file = join(dir, 'topicwire.yaml')
  await writeFile(
    file,
    `server: { port: 8080, base_url: http://localhost:8080 }\nstorage: { driver: lowdb, path: ${join(dir, 'db.json')} }\nfetch: { every: 15m, allow_private_networks: true }\nsources:\n${sources}\ntopics:\n  trade: { title: Trade, match: Torkham }\n`,
  )
  return file
}

/** /proc/PID/status fields in kB (VmHWM, VmRSS). */
const procKb = (pid: number, field: 'VmHWM' | 'VmRSS'): number =>
  Number(
    new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1],
  )

/** Starts `serve` on a free port with an empty store; resolves when /readyz answers 200. */
const serveUntilReady = async (dir: string) => {
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  // The shipped file, with its store (relative to the file, or TOPICWIRE_DATA) in an empty folder.
  const data = await mkdtemp(join(dir, 'serve-data-'))
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, 'serve', '--config', SHIPPED], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'silent', TOPICWIRE_DATA: data },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  // What serve says on stderr (its last 4 KB), to tell why it stopped if it does.
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4096)
  })
  let exited: string | undefined
  child.on('exit', (code, signal) => {
    exited = `serve (port ${port}) exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim() || 'no output'}`
  })
  // A busy machine: up to 60 s, so that a slow start is measured rather than failed.
  for (let i = 0; i < 6000; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { child, readyS: (performance.now() - started) / 1000 }
    if (exited !== undefined) throw new Error(exited)
    await new Promise((r) => setTimeout(r, 10))
  }
  child.kill('SIGKILL')
  throw new Error(`serve did not become ready within 60 s: ${stderr.trim() || 'no output'}`)
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')

export const run = async (): Promise<void> => {
  const stamp = join(ROOT, 'dist/.build-stamp')
  const built = existsSync(stamp)
  console.log(
    built
      ? `bin runs dist/ (built ${readFileSync(stamp, 'utf8').trim()}); a src/ file newer than that makes it run tsx`
      : 'no dist/ build: bin runs src/ through tsx (run `npm run build` first to measure what users run)',
  )
  const dir = await mkdtemp(join(tmpdir(), 'topicwire-bench-start-'))
  if (ONLY_COLD) {
    try {
      const cold = await coldPoll(dir)
      console.log(coldRow(cold))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    return
  }
  const pub = await publisher(20, 50)
  try {
    const floor = await repeat(['-e', '0'])
    const version = await repeat([BIN, '--version'])
    const check = await repeat([BIN, 'check', '--config', SHIPPED])
    const opml = await repeat([BIN, 'export-opml', '--config', SHIPPED])
    const cfg20 = await pollOnce(dir, pub.url)
    const fetch304 = await repeat([BIN, 'fetch', '--once', '--config', cfg20])
    const serve = await serveUntilReady(dir)
    await new Promise((r) => setTimeout(r, 2000))
    const idleRss = procKb(serve.child.pid as number, 'VmRSS')
    const idleHwm = procKb(serve.child.pid as number, 'VmHWM')
    serve.child.kill('SIGTERM')
    const rows: [string, Run, string][] = [
      ['node -e 0 (floor)', floor, ''],
      [
        '--version',
        version,
        `${(version.seconds / floor.seconds).toFixed(2)}× floor (≤ ${TARGETS.versionRatio}×: ${mark(version.seconds / floor.seconds <= TARGETS.versionRatio)})`,
      ],
      ['check (shipped)', check, `≤ ${TARGETS.checkS} s: ${mark(check.seconds <= TARGETS.checkS)}`],
      ['export-opml (shipped)', opml, ''],
      ['fetch --once, 20 feeds answering 304', fetch304, ''],
    ]
    console.log(`median of ${RUNS} runs each, one process per run\n`)
    console.log('| command | wall | × floor | peak RSS (VmHWM) | target |')
    console.log('|---|---|---|---|---|')
    for (const [name, r, target] of rows)
      console.log(
        `| ${name} | ${r.seconds.toFixed(3)} s | ${(r.seconds / floor.seconds).toFixed(1)} | ${mb(r.peakKb)} | ${target} |`,
      )
    console.log(
      `| serve until /readyz (shipped, empty store) | ${serve.readyS.toFixed(3)} s | ${(serve.readyS / floor.seconds).toFixed(1)} | ${mb(idleHwm)} | ≤ ${TARGETS.serveReadyS} s: ${mark(serve.readyS <= TARGETS.serveReadyS)} |`,
    )
    console.log(
      `| serve idle 2 s after ready (VmRSS) | | | ${mb(idleRss)} | ≤ ${TARGETS.serveIdleMb} MB: ${mark(idleRss / 1024 <= TARGETS.serveIdleMb)} |`,
    )
    console.log(coldRow(await coldPoll(dir)))
  } finally {
    pub.server.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** The table row of the cold fetch. */
const coldRow = (cold: Run): string =>
  `| cold fetch --once, ${COLD_FEEDS} feeds × 50 items | ${cold.seconds.toFixed(2)} s (${cold.cpuSeconds.toFixed(1)} CPU-s) | | ${mb(cold.peakKb)} | ≤ ${TARGETS.coldPeakMb} MB: ${mark(cold.peakKb / 1024 <= TARGETS.coldPeakMb)} |`

/** The 20-feed configuration, polled once so that the measured runs get 304s. */
const pollOnce = async (dir: string, url: string): Promise<string> => {
  const file = await loopbackConfig(dir, url, 20)
  await timed([BIN, 'fetch', '--once', '--config', file])
  return file
}

/** A first poll of COLD_FEEDS feeds into an empty store. */
const coldPoll = async (dir: string): Promise<Run> => {
  const pub = await publisher(COLD_FEEDS, 50)
  try {
    const coldDir = await mkdtemp(join(dir, 'cold-'))
    const file = await loopbackConfig(coldDir, pub.url, COLD_FEEDS)
    // The publisher runs in this process: the child's peak is topicwire's alone.
    return await timed([...COLD_NODE_ARGS, BIN, 'fetch', '--once', '--config', file])
  } finally {
    pub.server.close()
  }
}
