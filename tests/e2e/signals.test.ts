/** A real `serve` process and the signals a service manager sends: SIGHUP reloads, SIGTERM stops. */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/ports.js'

const BIN = resolve(import.meta.dirname, '../../bin/topicwire.js')

const yaml = (port: number, dir: string, topic: string) =>
  `server: { port: ${port}, base_url: "http://127.0.0.1:${port}" }\nstorage: { path: ${join(dir, 'db.json')} }\nsources: []\ntopics:\n  ${topic}: { title: ${topic}, match: Torkham }\n`

let dir: string
let proc: ChildProcess
let base: string
let logs = ''

/** Waits (a bounded number of times) until `check` holds. */
const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what} did not happen; logs: ${logs}`)
}

const topics = async (): Promise<string[]> => {
  const body = (await (await fetch(`${base}/api/topics`)).json()) as { topics: { id: string }[] }
  return body.topics.map((t) => t.id)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-signals-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const file = join(dir, 'topicwire.yaml')
  await writeFile(file, yaml(port, dir, 'first'))
  proc = spawn(process.execPath, [BIN, 'serve', '--config', file], {
    env: { ...process.env, LOG_LEVEL: 'info', PORT: String(port), BASE_URL: base },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  proc.stderr?.on('data', (d) => {
    logs += String(d)
  })
  await until(
    () =>
      fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    'serve becoming ready',
  )
}, 60_000)

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

describe('serve and signals', () => {
  it('reloads the configuration on SIGHUP and keeps serving', async () => {
    expect(await topics()).toEqual(['first'])
    const before = logs.split('\n').filter((l) => l.includes('configuration reloaded')).length
    proc.kill('SIGHUP')
    await until(
      () => logs.split('\n').filter((l) => l.includes('configuration reloaded')).length > before,
      'a reload after SIGHUP',
    )
    expect(logs).toContain('"signal":"SIGHUP"')
    expect(proc.exitCode).toBeNull()
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })

  it('keeps the running configuration when SIGHUP finds a broken file', async () => {
    await writeFile(join(dir, 'topicwire.yaml'), 'server: { port: [oops\n')
    proc.kill('SIGHUP')
    await until(() => logs.includes('new configuration rejected'), 'the rejection')
    expect(proc.exitCode).toBeNull()
    expect(await topics()).toEqual(['first'])
  })

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
