/**
 * `npm run bench peers`: topicwire against the readers people already use, on the same loopback work
 * in one run. BENCH_FEEDS (1,000) RSS feeds of 50 items (~80 KB, ~1 KB of HTML with links per
 * description; generated here) are written to a temporary folder and served by nginx with ETag and
 * Last-Modified, spread over BENCH_HOSTS (50) loopback addresses as an OPML of real outlets is
 * spread over hosts (BENCH_HOSTS=1 puts every feed on one host, where per-host politeness rules).
 * Each tool starts from a fresh state, then runs twice: a first run (every item new) and a second
 * (nothing changed: conditional requests get 304, for the tools that send them). Prints wall time,
 * the peak RSS of each process tree (sum of VmRSS over the tree, sampled, or the largest single
 * VmHWM when that is higher) and what nginx answered, with the ratios the targets are on.
 * BENCH_WORKERS sets topicwire's `fetch.workers` (unset: the default for the machine).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../tests/helpers/ports.js'

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/topicwire.js')
const FEEDS = Number(process.env.BENCH_FEEDS ?? 1000)
const HOSTS = Math.max(1, Math.min(250, Number(process.env.BENCH_HOSTS ?? 50)))
const ITEMS = 50
/** Requests at once of the bare loop (the issue allows 8–32). */
const BARE_CONCURRENCY = Number(process.env.BENCH_BARE_CONCURRENCY ?? 16)
/** Longest a run may take (seconds) before it is stopped and reported as slower than that. */
const RUN_CAP_S = Number(process.env.BENCH_RUN_CAP_S ?? 600)
/** Tools to run, comma-separated (default all): newsboat,sfeed,bare,topicwire. */
const TOOLS = (process.env.BENCH_TOOLS ?? 'newsboat,sfeed,bare,topicwire').split(',')

/** `fetch.workers` of topicwire's configuration (BENCH_WORKERS=1): unset, the default for the machine. */
const WORKERS =
  process.env.BENCH_WORKERS === undefined ? '' : `, workers: ${Number(process.env.BENCH_WORKERS)}`

/** Extra node flags for topicwire only, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)

/** Targets of issue 21. */
const TARGETS = { firstVsNewsboat: 0.2, secondVsBare: 2, peakMb: 300 }

// ------------------------------------------------------------------ the documents

/** A small deterministic generator (mulberry32), so every run serves the same bytes. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const SYLLABLES = 'ka ri to ma ne sa lu bo de fi ga hu ji ko la mi no pu ra se ti vo wa ya'.split(
  ' ',
)
/** Made-up words (no real text), a few place names so that topics match some items. */
const WORDS = Array.from({ length: 4000 }, (_, i) => {
  let w = ''
  for (let n = i + 31; n > 0; n = Math.floor(n / SYLLABLES.length)) w += SYLLABLES[n % 24]
  return w
})
const PLACES = ['Torkham', 'Kabul', 'Islamabad', 'Peshawar', 'Kandahar', 'Chaman', 'Doha']

/** Feed number `f` of the served world (deterministic), as nginx serves it. */
export const feedXml = (f: number): string => {
  const rnd = random(f + 1)
  const word = () => WORDS[Math.floor(rnd() ** 2 * WORDS.length)]
  const words = (n: number) => Array.from({ length: n }, word).join(' ')
  const host = `outlet${f}.example.net`
  const items: string[] = []
  for (let i = 0; i < ITEMS; i++) {
    const place = PLACES[Math.floor(rnd() * PLACES.length * 3)] ?? ''
    const title = `${place} ${words(7)}`.trim()
    const link = `https://${host}/news/${i}-${title.split(' ').slice(0, 3).join('-').toLowerCase()}`
    // About 1 KB of HTML: four paragraphs, two of them with links, and an image.
    const description = [
      `<p>${words(42)} <a href="${link}#more">${words(2)}</a>.</p>`,
      `<p>${words(44)} ${place}.</p>`,
      `<p>${words(34)} <a href="https://${host}/tag/${word()}">${word()}</a> ${words(4)}.</p>`,
      `<p><img src="https://${host}/img/${i}.jpg" alt="${words(3)}"> ${words(32)}.</p>`,
    ].join('')
    const date = new Date(Date.UTC(2026, 10, 20) - (f % 97) * 60_000 - i * 3_600_000)
    items.push(
      `<item><title>${title}</title><link>${link}</link><guid isPermaLink="true">${link}</guid><pubDate>${date.toUTCString()}</pubDate><author>desk@${host} (${words(2)})</author><category>${word()}</category><category>${word()}</category><description><![CDATA[${description}]]></description></item>`,
    )
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Outlet ${f}</title><link>https://${host}/</link><description>${words(8)}</description><language>en</language>${items.join('\n')}</channel></rss>\n`
}

const feedUrl = (port: number, f: number) => `http://127.0.0.${2 + (f % HOSTS)}:${port}/${f}.xml`

// ------------------------------------------------------------------ nginx

/** nginx serving `www` on every feed host at `port`, its access log `$status` per line. */
const startNginx = async (dir: string, port: number): Promise<ChildProcess> => {
  const prefix = join(dir, 'nginx')
  await mkdir(join(prefix, 'logs'), { recursive: true })
  const listens = Array.from(
    { length: HOSTS },
    (_, h) => `    listen 127.0.0.${2 + h}:${port};`,
  ).join('\n')
  await writeFile(
    join(prefix, 'nginx.conf'),
    `daemon off;
worker_processes 2;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 4096; }
http {
  log_format status '$status';
  access_log ${prefix}/logs/access.log status;
  client_body_temp_path ${prefix}/tmp-body;
  proxy_temp_path ${prefix}/tmp-proxy;
  types { application/rss+xml xml; }
  sendfile on;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  server {
${listens}
    root ${dir}/www;
  }
}
`,
  )
  const nginx = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  // nginx starts in milliseconds; ask for a feed a bounded number of times.
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(feedUrl(port, 0)).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return nginx
    await new Promise((r) => setTimeout(r, 50))
  }
  nginx.kill('SIGTERM')
  throw new Error(`nginx did not serve on port ${port}: see ${prefix}/logs/error.log`)
}

/** Statuses nginx logged since `from` (a byte offset of the access log); returns the new offset. */
const statusesSince = (dir: string, from: number): { counts: string; offset: number } => {
  const log = readFileSync(join(dir, 'nginx/logs/access.log'), 'utf8')
  const tally = new Map<string, number>()
  for (const s of log.slice(from).split('\n').filter(Boolean)) tally.set(s, (tally.get(s) ?? 0) + 1)
  const counts = [...tally]
    .sort()
    .map(([s, n]) => `${n}×${s}`)
    .join(' ')
  return { counts, offset: log.length }
}

// ------------------------------------------------------------------ process trees

/** Parent pid of every process now. */
const parents = (): Map<number, number> => {
  const map = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // Field 4, after the parenthesised command name (which may hold spaces).
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      map.set(Number(name), ppid)
    } catch {
      // gone meanwhile
    }
  }
  return map
}

const statusKb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Samples the tree under `root` every 50 ms: peak of the summed VmRSS, and the largest VmHWM seen. */
const sampleTree = (root: number) => {
  let peakSumKb = 0
  let peakOneKb = 0
  const sample = () => {
    const ppid = parents()
    const tree = new Set([root])
    // Descendants: repeat until no process joins (trees are shallow).
    for (let grew = true; grew; ) {
      grew = false
      for (const [pid, parent] of ppid)
        if (!tree.has(pid) && tree.has(parent)) {
          tree.add(pid)
          grew = true
        }
    }
    let sum = 0
    for (const pid of tree) {
      sum += statusKb(pid, 'VmRSS')
      peakOneKb = Math.max(peakOneKb, statusKb(pid, 'VmHWM'))
    }
    peakSumKb = Math.max(peakSumKb, sum)
  }
  const timer = setInterval(sample, 50)
  return {
    sample,
    stop: () => {
      clearInterval(timer)
      return Math.max(peakSumKb, peakOneKb)
    },
  }
}

interface Run {
  seconds: number
  /** User + system CPU seconds of the whole tree: steadier than wall time on a busy machine. */
  cpu: number
  peakKb: number
  served: string
  /** Stopped at BENCH_RUN_CAP_S: `seconds` is the cap, a lower bound of the run's time. */
  stopped?: true
}

/**
 * Runs `cmd args…` to its end, or stops its process group at RUN_CAP_S (a tool that would take
 * hours on a busy machine is reported as slower than the cap, not waited for); wall time, CPU,
 * peak RSS of its tree and what nginx answered.
 */
const measure = (
  dir: string,
  offset: { at: number },
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> =>
  new Promise<Run>((ok, fail) => {
    const started = performance.now()
    const timeFile = join(dir, 'time.out')
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', cmd, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let stopped = false
    const cap = setTimeout(() => {
      stopped = true
      process.kill(-(child.pid as number), 'SIGKILL')
    }, RUN_CAP_S * 1000)
    const sampler = sampleTree(child.pid as number)
    let out = ''
    child.stdout.on('data', (d) => {
      out = (out + d).slice(-4000)
    })
    child.stderr.on('data', (d) => {
      out = (out + d).slice(-4000)
    })
    child.on('error', fail)
    child.on('exit', (code) => {
      clearTimeout(cap)
      const seconds = (performance.now() - started) / 1000
      const peakKb = sampler.stop()
      const { counts, offset: next } = statusesSince(dir, offset.at)
      offset.at = next
      if (stopped) {
        ok({ seconds: RUN_CAP_S, cpu: Number.NaN, peakKb, served: counts, stopped: true })
        return
      }
      if (code !== 0) {
        fail(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${out}`))
        return
      }
      // CPU of the tool and every descendant it waited for (RUSAGE_CHILDREN through time(1)).
      const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ') ?? []
      const cpu = Number(user) + Number(sys)
      ok({ seconds, cpu, peakKb, served: counts })
    })
  })

// ------------------------------------------------------------------ the tools

const has = (cmd: string, ...args: string[]) => spawnSync(cmd, args).error === undefined

interface Tool {
  name: string
  /** Why it cannot run here, with how to install it; undefined when it can. */
  missing?: string
  /** Prepares a fresh state in `dir`; returns the command of one run. */
  prepare(dir: string, urls: string[]): Promise<{ cmd: string; args: string[]; cwd?: string }>
}

const TOOL_LIST: Tool[] = [
  {
    name: 'newsboat (reload-threads 8)',
    missing: has('newsboat', '-v') ? undefined : 'apt-get install -y newsboat',
    prepare: async (dir, urls) => {
      await writeFile(join(dir, 'urls'), `${urls.join('\n')}\n`)
      await writeFile(join(dir, 'config'), 'reload-threads 8\n')
      return {
        cmd: 'newsboat',
        args: ['-q', '-u', 'urls', '-c', 'cache.db', '-C', 'config', '-x', 'reload'],
        cwd: dir,
      }
    },
  },
  {
    name: 'sfeed_update (8 jobs)',
    missing: has('sfeed_update', '-h') ? undefined : 'apt-get install -y sfeed',
    prepare: async (dir, urls) => {
      const feeds = urls.map((u, f) => `  feed "f${f}" "${u}"`).join('\n')
      await writeFile(
        join(dir, 'sfeedrc'),
        `sfeedpath="${dir}/feeds"\nmaxjobs=8\nfeeds() {\n${feeds}\n}\n`,
      )
      return { cmd: 'sfeed_update', args: [join(dir, 'sfeedrc')], cwd: dir }
    },
  },
  {
    name: `bare node loop (undici + regex, ${BARE_CONCURRENCY} at once)`,
    prepare: async (dir, urls) => {
      await writeFile(join(dir, 'urls'), `${urls.join('\n')}\n`)
      return {
        cmd: process.execPath,
        args: [join(ROOT, 'bench/peers-bare-loop.mjs'), 'urls', 'state', String(BARE_CONCURRENCY)],
        cwd: dir,
      }
    },
  },
  {
    name: 'topicwire fetch --once',
    prepare: async (dir, urls) => {
      const sources = urls.map((u, f) => `  - { id: outlet-${f}, url: "${u}" }`).join('\n')
      await writeFile(
        join(dir, 'topicwire.yaml'),
        `storage: { path: data/db.json }
fetch: { allow_private_networks: true${WORKERS} }
sources:
${sources}
topics:
  border: { title: Border crossings, match: Torkham OR Chaman }
  talks: { title: Talks, match: Doha OR Islamabad }
`,
      )
      return {
        cmd: process.execPath,
        args: [...NODE_ARGS, BIN, 'fetch', '--once', '--config', 'topicwire.yaml'],
        cwd: dir,
      }
    },
  },
]
const toolKey = (t: Tool) =>
  t.name.startsWith('newsboat')
    ? 'newsboat'
    : t.name.startsWith('sfeed')
      ? 'sfeed'
      : t.name.startsWith('bare')
        ? 'bare'
        : 'topicwire'

// ------------------------------------------------------------------ the run

const wall = (r: Run) => (r.stopped ? `over ${RUN_CAP_S} s (stopped)` : `${r.seconds.toFixed(2)} s`)
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')

export const run = async (): Promise<void> => {
  const stamp = join(ROOT, 'dist/.build-stamp')
  console.log(
    existsSync(stamp)
      ? `topicwire runs dist/ when no src/ file is newer than ${readFileSync(stamp, 'utf8').trim()} (else tsx): run \`npm run build\` first`
      : 'no dist/ build: topicwire runs src/ through tsx (run `npm run build` first to measure what users run)',
  )
  const dir = await mkdtemp(join(tmpdir(), 'topicwire-bench-peers-'))
  // nginx's workers run as nobody when started by root: they must be able to read the feeds.
  chmodSync(dir, 0o755)
  let nginx: ChildProcess | undefined
  try {
    await mkdir(join(dir, 'www'))
    let bytes = 0
    for (let f = 0; f < FEEDS; f++) {
      const xml = feedXml(f)
      bytes += Buffer.byteLength(xml)
      await writeFile(join(dir, 'www', `${f}.xml`), xml)
    }
    const port = await freePort()
    nginx = await startNginx(dir, port)
    const urls = Array.from({ length: FEEDS }, (_, f) => feedUrl(port, f))
    const offset = { at: statusesSince(dir, 0).offset }
    console.log(
      `${FEEDS} feeds × ${ITEMS} items, ${(bytes / FEEDS / 1024).toFixed(0)} KB each on average, over ${HOSTS} loopback host(s), nginx with ETag and Last-Modified`,
    )
    const results: { tool: Tool; first?: Run; second?: Run }[] = []
    for (const tool of TOOL_LIST) {
      if (!TOOLS.includes(toolKey(tool))) continue
      if (tool.missing) {
        console.log(`skipping ${tool.name}: not installed (${tool.missing})`)
        results.push({ tool })
        continue
      }
      const state = await mkdtemp(join(dir, `${toolKey(tool)}-`))
      const { cmd, args, cwd } = await tool.prepare(state, urls)
      const first = await measure(dir, offset, cmd, args, { cwd })
      console.log(`  ${tool.name}, first run: ${wall(first)}`)
      // A first run that was stopped left a partial state: a second run would not measure "nothing changed".
      const second = first.stopped ? undefined : await measure(dir, offset, cmd, args, { cwd })
      if (second) console.log(`  ${tool.name}, second run: ${wall(second)}`)
      results.push({ tool, first, ...(second && { second }) })
      await rm(state, { recursive: true, force: true })
    }
    const byKey = new Map(results.map((r) => [toolKey(r.tool), r]))
    const cell = (r?: Run) =>
      !r ? 'not run' : r.stopped ? wall(r) : `${wall(r)} (${r.cpu.toFixed(1)} s CPU)`
    console.log(
      '\n| tool | first run: wall (CPU) | second run: wall (CPU) | peak RSS first / second | nginx answered first / second |',
    )
    console.log('|---|---|---|---|---|')
    for (const { tool, first, second } of results) {
      if (!first) {
        console.log(`| ${tool.name} | skipped: ${tool.missing} | | | |`)
        continue
      }
      console.log(
        `| ${tool.name} | ${cell(first)} | ${cell(second)} | ${mb(first.peakKb)} / ${second ? mb(second.peakKb) : '-'} | ${first.served} / ${second?.served ?? '-'} |`,
      )
    }
    const tw = byKey.get('topicwire')
    const nb = byKey.get('newsboat')
    const bare = byKey.get('bare')
    // A stopped reference ran longer than its `seconds`: the ratio is then an upper bound.
    const ratio = (a: Run, b: Run, target: number) =>
      a.stopped
        ? `over ${(a.seconds / b.seconds).toFixed(2)}× wall (topicwire was stopped)`
        : b.stopped
          ? `under ${(a.seconds / b.seconds).toFixed(2)}× wall (the other tool was stopped at ${RUN_CAP_S} s)`
          : `${(a.seconds / b.seconds).toFixed(2)}× wall (≤ ${target}×: ${mark(a.seconds / b.seconds <= target)}), ${(a.cpu / b.cpu).toFixed(2)}× CPU`
    if (tw?.first) {
      console.log('')
      if (nb?.first)
        console.log(
          `topicwire / newsboat, first run: ${ratio(tw.first, nb.first, TARGETS.firstVsNewsboat)}`,
        )
      if (bare?.second && tw.second)
        console.log(
          `topicwire / bare loop, second run: ${ratio(tw.second, bare.second, TARGETS.secondVsBare)}`,
        )
      const peak = Math.max(tw.first.peakKb, tw.second?.peakKb ?? 0)
      console.log(
        `topicwire peak RSS: ${mb(peak)} (≤ ${TARGETS.peakMb} MB: ${mark(peak / 1024 <= TARGETS.peakMb)})`,
      )
    }
    console.log(`load average when done: ${readFileSync('/proc/loadavg', 'utf8').trim()}`)
  } finally {
    nginx?.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
