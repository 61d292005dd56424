/** wrk on loopback: /api/items against the cached topic feed, and what a flood of limit=500 pages leaves for /healthz and feed readers. */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { AppConfig } from '../src/model/types.js'
import { BENCH_TOPIC, benchConfig, serveBenchWorld } from './feed-world.js'

const run$ = promisify(execFile)

/** Items in the store: enough for a full page of 500. */
const ITEMS = 600
const TOPIC = BENCH_TOPIC
const FEED = `/topics/${TOPIC}.rss`
const ITEMS_50 = '/api/items?limit=50'
const ITEMS_500 = '/api/items?limit=500'
/** Measurement settings: the readers' wrk, the flood's, the /healthz probe's. */
const READERS = ['-t2', '-c32']
const FLOOD = ['-t1', '-c64']
const PROBE = ['-t1', '-c1']
const DURATION = 4
const ROUNDS = 3

/** The targets of the issue. */
const TARGET_ITEMS_VS_FEED = 0.3
const TARGET_HEALTHZ_P99_MS = 50
const TARGET_FEED_UNDER_FLOOD = 0.5

const _config: AppConfig = benchConfig()

interface WrkResult {
  rps: number
  p99ms: number
  errors: number
}

const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

/** Runs wrk; `script` sets a Lua file. Non-2xx/3xx answers are counted, not thrown. */
const wrk = async (url: string, args: string[], seconds: number, script?: string) => {
  const all = [...args, `-d${seconds}s`, '--latency', ...(script ? ['-s', script] : []), url]
  const { stdout } = await run$('wrk', all, { timeout: 120_000 })
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(stdout)
  if (!rps || !p99) throw new Error(`wrk printed no Requests/sec or 99% for ${url}:\n${stdout}`)
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)
  return {
    rps: Number(rps[1]),
    p99ms: Number(p99[1]) * (MS[p99[2] ?? 'ms'] ?? 1),
    errors: Number(bad?.[1] ?? 0),
  } satisfies WrkResult
}

/** Starts wrk in the background (the flood) and resolves when it has finished. */
const flood = (url: string, seconds: number, script?: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      [...FLOOD, `-d${seconds}s`, '--timeout', '30s', ...(script ? ['-s', script] : []), url],
      { stdio: 'ignore' },
    )
    child.once('error', reject)
    child.once('exit', () => resolve())
  })

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

const has = async (cmd: string): Promise<boolean> =>
  run$('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  )

/**
 * A wrk script whose every request is a new limit=500 page (a distinct `until`, so the byte
 * cache cannot answer it): the flood that makes the server render.
 */
const DISTINCT_PAGES_LUA = `
local n = 0
request = function()
  n = n + 1
  local path = string.format("/api/items?limit=500&until=2026-01-30T12:%02d:%02dZ", math.floor(n / 60) % 60, n % 60)
  return wrk.format("GET", path)
end
`

export const run = async (): Promise<void> => {
  if (!(await has('wrk'))) {
    console.log('skipped: wrk is not installed (apt-get install -y wrk)')
    return
  }
  const { server, base } = await serveBenchWorld(ITEMS, new Date(Date.UTC(2026, 0, 30, 12)))
  const dir = await mkdtemp(join(tmpdir(), 'topicwire-bench-api-'))
  const script = join(dir, 'distinct.lua')
  await writeFile(script, DISTINCT_PAGES_LUA)
  try {
    for (const path of [FEED, ITEMS_50, ITEMS_500, '/healthz']) {
      const res = await fetch(base + path)
      const size = (await res.arrayBuffer()).byteLength
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`)
      console.log(`${path}: ${size} bytes`)
    }
    console.log(
      `readers: wrk ${READERS.join(' ')}; flood: wrk ${FLOOD.join(' ')}; /healthz probe: wrk ${PROBE.join(' ')} --latency; ${ROUNDS} rounds of ${DURATION} s, medians`,
    )
    const feed: number[] = []
    const items50: number[] = []
    const feedFlooded: number[] = []
    const feedFloodedDistinct: number[] = []
    const healthz: number[] = []
    const healthzDistinct: number[] = []
    const healthzIdle: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      feed.push((await wrk(base + FEED, READERS, DURATION)).rps)
      items50.push((await wrk(base + ITEMS_50, READERS, DURATION)).rps)
      healthzIdle.push((await wrk(`${base}/healthz`, PROBE, DURATION)).p99ms)
      // The flood runs a little longer than each measurement made while it runs.
      for (const [flooded, probe, lua] of [
        [feedFlooded, healthz, undefined],
        [feedFloodedDistinct, healthzDistinct, script],
      ] as const) {
        const done = flood(base + ITEMS_500, DURATION * 2 + 2, lua)
        await new Promise((r) => setTimeout(r, 1000))
        probe.push((await wrk(`${base}/healthz`, PROBE, DURATION)).p99ms)
        flooded.push((await wrk(base + FEED, READERS, DURATION)).rps)
        await done
      }
    }
    const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / (b[i] ?? 1)))
    const verdict = (ok: boolean) => (ok ? 'meets' : 'BELOW')
    const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(' ')
    console.log(
      `topic feed (cached)          ${median(feed).toFixed(0).padStart(7)} req/s  (${list(feed)})`,
    )
    console.log(
      `/api/items?limit=50 (cached) ${median(items50).toFixed(0).padStart(7)} req/s  (${list(items50)})`,
    )
    const r1 = ratio(items50, feed)
    console.log(
      `ratio items/feed: ${r1.toFixed(2)}; target ≥ ${TARGET_ITEMS_VS_FEED}: ${verdict(r1 >= TARGET_ITEMS_VS_FEED)}`,
    )
    console.log(
      `/healthz p99, idle: ${median(healthzIdle).toFixed(2)} ms (${list(healthzIdle, 2)})`,
    )
    for (const [name, probe, flooded] of [
      ['one limit=500 URL (cached after the first)', healthz, feedFlooded],
      ['a new limit=500 page per request (renders, limited)', healthzDistinct, feedFloodedDistinct],
    ] as const) {
      const p99 = median(probe)
      const r = ratio(flooded, feed)
      console.log(`flood of ${name}:`)
      console.log(
        `  /healthz p99 ${p99.toFixed(2)} ms (${list(probe, 2)}); target < ${TARGET_HEALTHZ_P99_MS} ms: ${verdict(p99 < TARGET_HEALTHZ_P99_MS)}`,
      )
      console.log(
        `  topic feed ${median(flooded).toFixed(0)} req/s (${list(flooded)}), ${r.toFixed(2)}× unloaded; target ≥ ${TARGET_FEED_UNDER_FLOOD}: ${verdict(r >= TARGET_FEED_UNDER_FLOOD)}`,
      )
    }
    const stats = await fetch(`${base}/metrics`).then((r) => r.text())
    const refused = stats
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('topicwire_http_request_duration_seconds_count{') &&
          l.includes('route="/api/items"') &&
          l.includes('status="503"'),
      )
      .map((l) => Number(l.split(' ').at(-1)))
    console.log(`/api/items answered 503 (renders refused) ${refused[0] ?? 0} times in the floods`)
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(dir, { recursive: true, force: true })
  }
}
