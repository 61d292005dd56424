/**
 * The packed tarball, installed into an empty prefix and run from another folder: `--version`,
 * `check`, `serve` (until /readyz) and `demo` work, and data paths follow the configuration file.
 * The tarball is packed from a copy of the checkout (its `prepare` builds dist/ there, never under
 * the suites running beside it). The install lays the tarball out as `npm i -g --ignore-scripts
 * --prefix` does, with the dependencies of this checkout as the registry serves them: no
 * postinstall, so sanitize-html is unpatched there (the registry is not reached from tests).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/ports.js'

const ROOT = resolve(import.meta.dirname, '../..')
const VERSION = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version as string

let dir: string
/** `$prefix/bin/topicwire`, as npm links it. */
let bin: string
/** A folder that is neither the package nor the configuration's: where the commands run. */
let elsewhere: string
const children: ChildProcess[] = []

const sh = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`)
  return r.stdout
}

/**
 * `installed/node_modules` as an install that ran no scripts leaves it: this checkout's packages,
 * except that sanitize-html is the registry's copy (our patch reversed), as postinstall never ran.
 */
const installDependencies = async (installed: string) => {
  const modules = join(installed, 'node_modules')
  await mkdir(modules)
  for (const entry of readdirSync(join(ROOT, 'node_modules')))
    if (entry !== 'sanitize-html' && entry !== '.bin')
      await symlink(join(ROOT, 'node_modules', entry), join(modules, entry))
  await cp(join(ROOT, 'node_modules/sanitize-html'), join(modules, 'sanitize-html'), {
    recursive: true,
  })
  sh(
    'patch',
    ['-R', '-p1', '-s', '-i', join(ROOT, 'patches/sanitize-html+2.17.0.patch')],
    installed,
  )
}

/**
 * Whether a sanitize-html module is the patched one: its frames share their methods (on the
 * prototype of one Frame) instead of carrying two new closures each.
 */
const isPatched = (sanitizeHtml: (html: string, options: object) => string): boolean => {
  const frames: object[] = []
  sanitizeHtml('<p><b>a</b></p><p>b</p>', {
    exclusiveFilter: (frame: object) => {
      frames.push(frame)
      return false
    },
  })
  expect(frames.length).toBe(3)
  return frames.every((f) => !Object.hasOwn(f, 'updateParentNodeText'))
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-package-'))
  const checkout = join(dir, 'checkout')
  await mkdir(checkout)
  for (const entry of readdirSync(ROOT))
    if (!['node_modules', 'dist', 'data', '.git', 'coverage', '.bench'].includes(entry))
      await cp(join(ROOT, entry), join(checkout, entry), { recursive: true })
  await mkdir(join(checkout, 'data'))
  await writeFile(join(checkout, 'data/.gitkeep'), '')
  await symlink(join(ROOT, 'node_modules'), join(checkout, 'node_modules'))
  const tarball = sh('npm', ['pack', '--silent', '--pack-destination', dir], checkout).trim()
  const prefix = join(dir, 'prefix')
  const installed = join(prefix, 'lib/node_modules/topicwire')
  await mkdir(installed, { recursive: true })
  sh('tar', ['xzf', join(dir, tarball), '--strip-components=1', '-C', installed], dir)
  await installDependencies(installed)
  await mkdir(join(prefix, 'bin'))
  bin = join(prefix, 'bin/topicwire')
  await symlink('../lib/node_modules/topicwire/bin/topicwire.js', bin)
  elsewhere = join(dir, 'elsewhere')
  await mkdir(elsewhere)
}, 300_000)

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

/** Runs the installed command from `elsewhere` with a clean environment. */
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd: elsewhere,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  })

/** Starts the installed command from `elsewhere`; resolves once `ready(output so far)` holds. */
const start = async (
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => Promise<boolean> | boolean,
) => {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: elsewhere,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout.on('data', (d) => {
    output += d
  })
  child.stderr.on('data', (d) => {
    output += d
  })
  for (let i = 0; i < 1200 && child.exitCode === null; i++) {
    if (await ready(output)) return { child, output: () => output }
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill('SIGKILL')
  throw new Error(`topicwire ${args.join(' ')} did not become ready: ${output}`)
}

const answers = (url: string) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  )

describe('the packed tarball, installed into an empty prefix', () => {
  it('carries the compiled code, not the sources, and answers --version', () => {
    const installed = join(dir, 'prefix/lib/node_modules/topicwire')
    // What bin/topicwire.js runs: the command line bundled into chunks.
    expect(existsSync(join(installed, 'dist/bundle/cli.js'))).toBe(true)
    expect(existsSync(join(installed, 'dist/.build-stamp'))).toBe(true)
    expect(existsSync(join(installed, 'src'))).toBe(false)
    const r = run(['--version'])
    expect(r.stdout).toBe(`topicwire ${VERSION}\n`)
  })

  it('runs the patched sanitize-html though the install ran no scripts', () => {
    const installed = join(dir, 'prefix/lib/node_modules/topicwire')
    const inInstall = createRequire(join(installed, 'package.json'))
    // The premise: node_modules holds the registry's copy, which the compiled code must not run.
    expect(isPatched(inInstall('sanitize-html'))).toBe(false)
    // The module the compiled sanitiser imports, resolved from where it is, as node does.
    const sanitizer = join(installed, 'dist/ingest/sanitize.js')
    const spec = /^import \w+ from '([^']*sanitize-html[^']*)'/m.exec(
      readFileSync(sanitizer, 'utf8'),
    )?.[1]
    expect(spec).toBeDefined()
    expect(isPatched(createRequire(sanitizer)(spec ?? ''))).toBe(true)
    // The bundle bin runs carries the vendored copy inside: no chunk loads the package.
    const bundle = join(installed, 'dist/bundle')
    for (const chunk of readdirSync(bundle))
      expect(readFileSync(join(bundle, chunk), 'utf8'), chunk).not.toMatch(
        /(from\s*|require\(|import\()['"]sanitize-html/,
      )
  })

  it('checks with the bundle, loading none of what serve needs', () => {
    const shipped = join(dir, 'prefix/lib/node_modules/topicwire/config/topicwire.yaml')
    const r = spawnSync(
      process.execPath,
      ['--import', join(ROOT, 'tests/helpers/module-log.mjs'), bin, 'check', '--config', shipped],
      { cwd: elsewhere, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    )
    expect(r.status).toBe(0)
    const loaded = [...r.stderr.matchAll(/^module-log (\S+)$/gm)].map((m) => m[1] ?? '')
    // The recording works: the bundle's entry and a chunk of the command are there.
    expect(loaded.some((u) => u.endsWith('/dist/bundle/cli.js'))).toBe(true)
    expect(loaded.some((u) => /\/dist\/bundle\/check-\w+\.js$/.test(u))).toBe(true)
    // Nothing unbundled of ours, and no package or chunk of the server, store or fetcher.
    const forbidden = [
      /\/node_modules\/topicwire\/dist\/(?!bundle\/)/,
      /\/node_modules\/(hono|@hono|sanitize-html|prom-client|undici|lowdb|pg|pino|feedsmith)\//,
      /\/dist\/bundle\/(serve|fetch|demo|analyse|runtime|scheduler)-/,
      /^node:(worker_threads|http)$/,
    ]
    expect(loaded.filter((u) => forbidden.some((re) => re.test(u)))).toEqual([])
  }, 60_000)

  it('imports a feed with fetch --once on the bundled analysis worker', async () => {
    const installed = join(dir, 'prefix/lib/node_modules/topicwire')
    const feed = await readFile(join(ROOT, 'tests/fixtures/feeds/pk-daily.rss'))
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' })
      res.end(feed)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    const site = join(dir, 'fetch-site')
    await mkdir(site)
    const file = join(site, 'topicwire.yaml')
    await writeFile(
      file,
      `storage: { path: db.json }\nfetch: { allow_private_networks: true }\nsources:\n  - { id: pk, url: "http://127.0.0.1:${port}/pk.rss" }\ntopics:\n  trade: { title: Trade, match: Torkham }\n`,
    )
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (done) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            join(ROOT, 'tests/helpers/module-log.mjs'),
            bin,
            'fetch',
            '--once',
            '--config',
            file,
          ],
          {
            cwd: elsewhere,
            // A worker that failed would be logged (as a warning) before its feed is analysed here.
            env: {
              PATH: process.env.PATH ?? '',
              LOG_LEVEL: 'warn',
              XDG_CACHE_HOME: join(dir, 'cache'),
            },
          },
        )
        children.push(child)
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d) => {
          stdout += d
        })
        child.stderr.on('data', (d) => {
          stderr += d
        })
        child.on('exit', (status) => done({ status, stdout, stderr }))
      },
    ).finally(() => server.close())
    const logged = r.stderr.replace(/^module-log .*\n/gm, '')
    expect(logged).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /1 sources: [1-9]\d* new, 0 updated, 0 unchanged, 0 not modified, 0 failed/,
    )
    const loaded = [...r.stderr.matchAll(/^module-log (\S+)$/gm)].map((m) => m[1] ?? '')
    // The worker ran the bundle of its modules, and no thread loaded one of ours unbundled.
    const ours = `${installed}/dist/`
    expect(loaded).toContain(`file://${ours}worker/worker.js`)
    expect(loaded).toContain(`file://${ours}worker/analyse.js`)
    expect(
      loaded.filter(
        (u) =>
          u.startsWith(`file://${ours}`) &&
          !/\/dist\/(bundle|worker)\/[\w-]+\.js$|\/dist\/util\/(worker-boot|young-generation)\.mjs$/.test(
            u,
          ),
      ),
    ).toEqual([])
    // The worker's bundle carries the vendored sanitize-html inside, as the command line's does.
    const bundle = join(installed, 'dist/worker')
    for (const chunk of readdirSync(bundle))
      expect(readFileSync(join(bundle, chunk), 'utf8'), chunk).not.toMatch(
        /(from\s*|require\(|import\()['"]sanitize-html/,
      )
  }, 120_000)

  it('checks its own shipped configuration from another folder', () => {
    const shipped = join(dir, 'prefix/lib/node_modules/topicwire/config/topicwire.yaml')
    const r = run(['check', '--config', shipped])
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/: OK \(13 sources, 5 topics, 5 feeds\)/)
    expect(r.status).toBe(0)
  })

  it('serves a configuration from another folder, its store beside the file', async () => {
    const site = join(dir, 'site')
    await mkdir(site)
    const port = await freePort()
    const file = join(site, 'topicwire.yaml')
    await writeFile(
      file,
      `server: { port: ${port} }\nstorage: { path: store/db.json }\nsources: []\ntopics:\n  trade: { title: Trade, match: Torkham }\n`,
    )
    const { child } = await start(['serve', '--config', file], {}, () =>
      answers(`http://127.0.0.1:${port}/readyz`),
    )
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    // The store is the file's (site/store/), not the working folder's.
    expect(existsSync(join(site, 'store'))).toBe(true)
    expect(readdirSync(elsewhere)).toEqual([])
  }, 120_000)

  it('runs the demo from another folder', async () => {
    const port = await freePort()
    // The demo prints its links once the first poll of the sample feeds is stored.
    const { child, output } = await start(['demo'], { PORT: String(port) }, (out) =>
      out.includes('Press Ctrl-C to stop.'),
    )
    expect(output()).toMatch(/sample sources on http:\/\/127\.0\.0\.1:\d+, [1-9]\d* items stored/)
    const feed = await (
      await fetch(`http://127.0.0.1:${port}/topics/pakistan-afghanistan.rss`)
    ).text()
    expect(feed).toContain('<rss')
    expect(feed).toContain('<item>')
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    expect(output()).not.toMatch(/error/i)
    expect(readdirSync(elsewhere)).toEqual([])
  }, 120_000)
})
