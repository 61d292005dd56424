/**
 * The deployment recipes in deploy/, checked as far as this machine allows: the systemd unit passes
 * `systemd-analyze verify`, nginx runs the reverse-proxy example in front of a real topicwire and
 * passes validators and 304s through, and the container file copies only what exists (no engine here
 * to build it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FEEDS_DIR } from '../../src/cli/demo.js'
import { type FeedServer, startFeedServer } from '../../src/cli/feed-server.js'
import { type Service, startService } from '../../src/cli/serve.js'
import { loadConfig } from '../../src/config/load.js'
import { freePort } from '../helpers/ports.js'

const ROOT = resolve(import.meta.dirname, '../..')
const DEPLOY = join(ROOT, 'deploy')
/** Whether a tool is installed; CI installs them (.ci/run), so there a missing one fails instead of skipping. */
const has = (cmd: string, ...args: string[]) =>
  spawnSync(cmd, args).error === undefined || process.env.CI === 'true'

describe.skipIf(!has('systemd-analyze', '--version'))('deploy/topicwire.service', () => {
  it('passes systemd-analyze verify with no warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'topicwire-unit-'))
    try {
      // verify checks that ExecStart's program exists: point it at this node, keep everything else.
      const unit = (await readFile(join(DEPLOY, 'topicwire.service'), 'utf8')).replace(
        '/usr/local/bin/topicwire',
        `${process.execPath} ${join(ROOT, 'bin/topicwire.js')}`,
      )
      await writeFile(join(dir, 'topicwire.service'), unit)
      const run = spawnSync('systemd-analyze', ['verify', join(dir, 'topicwire.service')], {
        encoding: 'utf8',
      })
      expect(run.stderr.trim()).toBe('')
      expect(run.status).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('confines the service: a dedicated user, a read-only system, one writable data folder', async () => {
    const unit = await readFile(join(DEPLOY, 'topicwire.service'), 'utf8')
    for (const line of [
      'User=topicwire',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/topicwire',
      'Restart=on-failure',
      'NoNewPrivileges=true',
      'ExecReload=/bin/kill -HUP $MAINPID',
    ])
      expect(unit.split('\n')).toContain(line)
  })
})

describe.skipIf(!has('nginx', '-v'))('deploy/nginx.conf in front of a real topicwire', () => {
  let dir: string
  let feeds: FeedServer
  let svc: Service
  let nginx: ChildProcess
  let front: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-nginx-'))
    await cp(DEMO_FEEDS_DIR, join(dir, 'feeds'), { recursive: true })
    feeds = await startFeedServer(join(dir, 'feeds'))
    const config = await loadConfig(join(ROOT, 'config/demo.yaml'), {
      DEMO_FEEDS_URL: feeds.url,
      DEMO_DB: join(dir, 'db.json'),
    })
    let polled: () => void = () => {}
    const firstCycle = new Promise<void>((r) => {
      polled = r
    })
    svc = await startService(config, {
      port: 0,
      hostname: '127.0.0.1',
      logLevel: 'silent',
      tick: '0 0 1 1 *',
      onCycle: () => polled(),
    })
    await firstCycle
    const upstream = new URL(svc.url).port
    const port = await freePort()
    const site = (await readFile(join(DEPLOY, 'nginx.conf'), 'utf8'))
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstream};`)
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
    await mkdir(join(dir, 'nginx/logs'), { recursive: true })
    await writeFile(join(dir, 'nginx/site.conf'), site)
    await writeFile(
      join(dir, 'nginx/nginx.conf'),
      `daemon off;\npid ${dir}/nginx/nginx.pid;\nerror_log ${dir}/nginx/logs/error.log warn;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/nginx/tmp-body;\n  proxy_temp_path ${dir}/nginx/tmp-proxy;\n  include ${dir}/nginx/site.conf;\n}\n`,
    )
    const test = spawnSync('nginx', ['-t', '-p', `${dir}/nginx`, '-c', `${dir}/nginx/nginx.conf`], {
      encoding: 'utf8',
    })
    expect(test.status, test.stderr).toBe(0)
    nginx = spawn('nginx', ['-p', `${dir}/nginx`, '-c', `${dir}/nginx/nginx.conf`], {
      stdio: 'ignore',
    })
    front = `http://127.0.0.1:${port}`
    // nginx starts in a few milliseconds; wait for it to answer, a bounded number of times.
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${front}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
      if (up) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('nginx did not answer on loopback')
    // A first poll cycle and two servers starting: generous on a busy 2-core machine.
  }, 120_000)

  afterAll(async () => {
    nginx?.kill('SIGTERM')
    await svc?.close()
    await feeds?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('serves the feed topicwire renders, with its validators', async () => {
    const path = '/topics/pakistan-afghanistan.rss'
    const direct = await fetch(`${svc.url}${path}`)
    const proxied = await fetch(`${front}${path}`)
    expect(proxied.status).toBe(200)
    expect(proxied.headers.get('etag')).toBe(direct.headers.get('etag'))
    expect(proxied.headers.get('last-modified')).toBe(direct.headers.get('last-modified'))
    expect(await proxied.text()).toBe(await direct.text())
  })

  it('passes If-None-Match through, and topicwire answers 304', async () => {
    const path = '/topics/pakistan-afghanistan.atom'
    const etag = (await fetch(`${front}${path}`)).headers.get('etag') ?? ''
    expect(etag).not.toBe('')
    const again = await fetch(`${front}${path}`, { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    const stale = await fetch(`${front}${path}`, { headers: { 'If-None-Match': '"other"' } })
    expect(stale.status).toBe(200)
  })
})

describe('deploy/Containerfile (not built here: no container engine)', () => {
  it('copies only files that exist, runs as a non-root user with a data volume and a readiness check', async () => {
    const file = await readFile(join(DEPLOY, 'Containerfile'), 'utf8')
    const copies = [...file.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(' '),
    )
    expect(copies.length).toBeGreaterThan(0)
    for (const src of copies) expect(existsSync(join(ROOT, src)), src).toBe(true)
    expect(file).toMatch(/^FROM .+ AS build$/m)
    expect(file).toMatch(/^USER node$/m)
    expect(file).toMatch(/^VOLUME \/data$/m)
    expect(file).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m)
  })
})
