/** wrk on loopback: a cached 50-item topicwire feed (200 and 304, gzip) against nginx serving the same bytes with gzip on. */
import { execFile, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import type { AppConfig } from '../src/model/types.js'
import { freePort } from '../tests/helpers/ports.js'
import { BENCH_TOPIC, benchConfig, serveBenchWorld } from './feed-world.js'

const run$ = promisify(execFile)

/**
 * wrk settings: two threads, 32 connections. Each target is warmed up for 2 s, then measured in
 * ROUNDS interleaved rounds of 4 s (topicwire and nginx back to back), so a change in the
 * machine's load during the run hits both sides of a ratio alike; medians are reported.
 */
const WRK_ARGS = ['-t2', '-c32']
const DURATION = '4s'
const WARMUP = '2s'
const ROUNDS = 3
const ITEMS = 50
const TOPIC = BENCH_TOPIC
const FEED_PATH = `/topics/${TOPIC}.rss`

/** What readers send (most also name br; nginx's gzip module knows only gzip). */
const ACCEPT_ENCODING = 'Accept-Encoding: gzip'

/** The targets of the issue: topicwire / nginx requests per second. */
const TARGET_200 = 0.6
const TARGET_304 = 0.5

const _config: AppConfig = benchConfig()

const has = async (cmd: string): Promise<boolean> =>
  run$('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  )

/** Runs wrk and returns requests per second; any non-2xx/3xx answer fails the benchmark. */
const wrk = async (url: string, duration: string, headers: string[] = []): Promise<number> => {
  const args = [...WRK_ARGS, `-d${duration}`, ...headers.flatMap((h) => ['-H', h]), url]
  const { stdout } = await run$('wrk', args, { timeout: 120_000 })
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
  if (!rps) throw new Error(`wrk printed no Requests/sec for ${url}:\n${stdout}`)
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)
  if (bad) throw new Error(`wrk saw ${bad[1]} error responses from ${url}`)
  return Number(rps[1])
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

interface Target {
  name: string
  url: string
  headers: string[]
  rps: number[]
}

const nginxConfig = (dir: string, port: number): string => `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/rss+xml rss; }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  etag on;
  gzip on;
  gzip_types application/rss+xml;
  gzip_min_length 512;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }
}
`

const startNginx = async (dir: string, body: Buffer) => {
  const port = await freePort()
  await mkdir(join(dir, 'www', 'topics'), { recursive: true })
  await mkdir(join(dir, 'tmp'), { recursive: true })
  await writeFile(join(dir, 'www', 'topics', `${TOPIC}.rss`), body)
  // Workers run as an unprivileged user when started by root: let them read the files.
  for (const d of [dir, join(dir, 'www'), join(dir, 'www', 'topics')]) await chmod(d, 0o755)
  await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, port))
  const nginx = spawn(
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    {
      stdio: 'ignore',
    },
  )
  const url = `http://127.0.0.1:${port}${FEED_PATH}`
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) return { url, stop: () => nginx.kill('SIGQUIT') }
    await new Promise((r) => setTimeout(r, 50))
  }
  nginx.kill()
  throw new Error(`nginx did not start on port ${port}; see ${dir}/error.log`)
}

/** A GET with node:http, which neither asks for nor decodes a coding: the bytes as sent. */
const getRaw = (
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [k, String(v ?? '')]),
          ),
          body: Buffer.concat(chunks),
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })

const fmt = (n: number): string => n.toFixed(0).padStart(8)

/**
 * The ceiling of any Node.js server here: node:http answering with the same Buffer and headers
 * and nothing else (no routing, no cache lookup). Printed for reference, not a target.
 */
const startRawNode = async (
  body: Buffer,
  headers: Record<string, string>,
  etag: string,
): Promise<{ url: string; server: Server }> => {
  const {
    'content-type': _type,
    'content-length': _length,
    'content-encoding': _coding,
    ...notModified
  } = headers
  const server = createHttpServer((req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, notModified)
      res.end()
      return
    }
    res.writeHead(200, headers)
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}${FEED_PATH}`, server }
}

const closeServer = (server: { close(cb: () => void): unknown }): Promise<void> =>
  new Promise<void>((resolve) => {
    if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') {
      server.closeAllConnections()
    }
    server.close(() => resolve())
  })

export const run = async (): Promise<void> => {
  for (const cmd of ['wrk', 'nginx']) {
    if (!(await has(cmd))) {
      console.log(`skipped: ${cmd} is not installed (apt-get install -y nginx wrk)`)
      return
    }
  }
  const { server, base } = await serveBenchWorld(ITEMS, new Date(Date.UTC(2026, 0, 1, 12)))
  const twUrl = `${base}${FEED_PATH}`
  const dir = await mkdtemp(join(tmpdir(), 'topicwire-bench-'))
  let nginx: { url: string; stop: () => void } | undefined
  let raw: { url: string; server: Server } | undefined
  try {
    const plain = await getRaw(twUrl)
    const body = plain.body
    const count = (body.toString('utf8').match(/<item>/g) ?? []).length
    if (plain.status !== 200 || count !== ITEMS) {
      throw new Error(`topicwire served status ${plain.status} with ${count} items`)
    }
    const gz = { 'Accept-Encoding': 'gzip' }
    const first = await getRaw(twUrl, gz)
    const etag = first.headers.etag ?? ''
    if (first.headers['content-encoding'] !== 'gzip' || !gunzipSync(first.body).equals(body)) {
      throw new Error('topicwire did not answer Accept-Encoding: gzip with the gzipped document')
    }
    nginx = await startNginx(dir, body)
    const fromNginx = await getRaw(nginx.url, gz)
    const nginxEtag = fromNginx.headers.etag ?? ''
    if (
      fromNginx.headers['content-encoding'] !== 'gzip' ||
      !gunzipSync(fromNginx.body).equals(body)
    ) {
      throw new Error('nginx does not serve the same bytes gzipped')
    }
    for (const [url, tag] of [
      [twUrl, etag],
      [nginx.url, nginxEtag],
    ] as const) {
      const res = await getRaw(url, { ...gz, 'If-None-Match': tag })
      if (res.status !== 304) throw new Error(`${url} answered ${res.status} to If-None-Match`)
    }
    raw = await startRawNode(
      first.body,
      Object.fromEntries(
        Object.entries(first.headers).filter(
          ([k]) => k !== 'date' && k !== 'connection' && k !== 'keep-alive',
        ),
      ),
      etag,
    )
    console.log(
      `feed: ${ITEMS} items, ${body.byteLength} bytes (gzip: topicwire ${first.body.byteLength}, nginx ${fromNginx.body.byteLength}); wrk ${WRK_ARGS.join(' ')} -H '${ACCEPT_ENCODING}', ${ROUNDS} interleaved rounds of ${DURATION} after ${WARMUP} warm-up; nginx: 1 worker, sendfile, etag on, gzip on (level 1, per request)`,
    )
    const target = (name: string, url: string, headers: string[] = []): Target => ({
      name,
      url,
      headers: [ACCEPT_ENCODING, ...headers],
      rps: [],
    })
    const tw200 = target('topicwire 200', twUrl)
    const ng200 = target('nginx     200', nginx.url)
    const tw304 = target('topicwire 304', twUrl, [`If-None-Match: ${etag}`])
    const ng304 = target('nginx     304', nginx.url, [`If-None-Match: ${nginxEtag}`])
    const raw200 = target('node:http 200', raw.url)
    const raw304 = target('node:http 304', raw.url, [`If-None-Match: ${etag}`])
    const all = [tw200, ng200, tw304, ng304, raw200, raw304]
    for (const t of all) await wrk(t.url, WARMUP, t.headers)
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of all) t.rps.push(await wrk(t.url, DURATION, t.headers))
    }
    const ratios = (a: Target, b: Target): number[] => a.rps.map((x, i) => x / (b.rps[i] ?? 1))
    const show = (r: number[]): string =>
      `${median(r).toFixed(2)} (rounds: ${r.map((x) => x.toFixed(2)).join(', ')})`
    console.log('               median req/s   rounds')
    for (const t of all) {
      const note = t.name.startsWith('node:http')
        ? "   reference: bare node:http, topicwire's gzip bytes"
        : ''
      console.log(
        `${t.name}  ${fmt(median(t.rps))}   ${t.rps.map((x) => x.toFixed(0)).join(' ')}${note}`,
      )
    }
    const r200 = ratios(tw200, ng200)
    const r304 = ratios(tw304, ng304)
    const verdict = (r: number[], want: number) => (median(r) >= want ? 'meets' : 'BELOW')
    console.log(
      `ratio 200 topicwire/nginx: ${show(r200)}; target ≥ ${TARGET_200}: ${verdict(r200, TARGET_200)}`,
    )
    console.log(
      `ratio 304 topicwire/nginx: ${show(r304)}; target ≥ ${TARGET_304}: ${verdict(r304, TARGET_304)}`,
    )
    console.log(
      `reference node:http/nginx: 200 ${show(ratios(raw200, ng200))}; 304 ${show(ratios(raw304, ng304))}`,
    )
    console.log(
      `topicwire/node:http: 200 ${show(ratios(tw200, raw200))}; 304 ${show(ratios(tw304, raw304))}`,
    )
  } finally {
    nginx?.stop()
    if (raw) await closeServer(raw.server)
    await closeServer(server)
    await rm(dir, { recursive: true, force: true })
  }
}
