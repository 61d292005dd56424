/** bin/topicwire.js: plain node on the compiled dist/ when it is fresh, tsx on src/ when src/ changed since the build. */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string

/** A checkout in miniature: the real bin, a dist/ and a src/ whose `main` say which one ran. */
let dir: string
const write = (path: string, text: string, at: number) => {
  mkdirSync(join(dir, path, '..'), { recursive: true })
  writeFileSync(join(dir, path), text)
  utimesSync(join(dir, path), at, at)
}
const run = (...args: string[]) =>
  execFileSync(process.execPath, [join(dir, 'bin/topicwire.js'), ...args], { encoding: 'utf8' })

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'topicwire-bin-'))
  mkdirSync(join(dir, 'bin'))
  copyFileSync(join(ROOT, 'bin/topicwire.js'), join(dir, 'bin/topicwire.js'))
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  const main = (which: string) =>
    `export const main = async (argv) => { console.log('${which}', argv.join(' ')); return 0 }\n`
  write('src/cli/index.ts', main('src'), 1_000)
  write('src/model/types.ts', 'export {}\n', 1_000)
  write('dist/bundle/cli.js', main('dist'), 2_000)
})

afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('bin/topicwire.js', () => {
  it('runs the compiled dist/ when its build stamp is newer than every source file', () => {
    write('dist/.build-stamp', 'x\n', 2_000)
    expect(run('check', '--config', 'x.yaml')).toBe('dist check --config x.yaml\n')
  })

  it('runs src/ through tsx when a source file changed after the build', () => {
    write('dist/.build-stamp', 'x\n', 2_000)
    write('src/model/types.ts', 'export {}\n', 3_000)
    expect(run('check')).toBe('src check\n')
  })

  it('finds a changed source file however deep it lies', () => {
    write('dist/.build-stamp', 'x\n', 2_000)
    write('src/ingest/fetch/deep/er/file.ts', 'export {}\n', 1_500)
    expect(run('check')).toBe('dist check\n')
    write('src/ingest/fetch/deep/er/file.ts', 'export {}\n', 3_000)
    expect(run('check')).toBe('src check\n')
  })

  it('runs src/ through tsx when there is no build', () => {
    expect(run('serve')).toBe('src serve\n')
  })

  it('runs dist/ when there are no sources at all (an installed package)', () => {
    write('dist/.build-stamp', 'x\n', 2_000)
    rmSync(join(dir, 'src'), { recursive: true })
    expect(run('demo')).toBe('dist demo\n')
  })

  it('ends `fetch --once` when main returns, with its exit code and all its output, whatever still waits in the event loop', () => {
    write('dist/.build-stamp', 'x\n', 2_000)
    write('dist/util/young-generation.mjs', 'export const holdYoungGeneration = () => {}\n', 2_000)
    // 2 MB on a pipe, an exit code, and a timer that would print after main returned.
    const line = `${'x'.repeat(1023)}\n`
    write(
      'dist/bundle/cli.js',
      `export const main = async (argv) => {
        for (let i = 0; i < 2048; i++) process.stdout.write(${JSON.stringify(line)})
        setTimeout(() => process.stdout.write('late\\n'), 300)
        return argv.includes('--once') ? 3 : 0
      }\n`,
      2_000,
    )
    const spawned = (...args: string[]) =>
      spawnSync(process.execPath, [join(dir, 'bin/topicwire.js'), ...args], {
        encoding: 'utf8',
        maxBuffer: 8 * 1_048_576,
      })
    const once = spawned('fetch', '--once')
    expect(once.status).toBe(3)
    expect(once.stdout).toBe(line.repeat(2048))
    // Any other command runs until its event loop is empty, as before.
    const check = spawned('check')
    expect(check.status).toBe(0)
    expect(check.stdout).toBe(`${line.repeat(2048)}late\n`)
  })

  it.each(['--version', '-v'])('answers %s without loading either', (flag) => {
    rmSync(join(dir, 'src'), { recursive: true })
    rmSync(join(dir, 'dist'), { recursive: true })
    expect(run(flag)).toBe(`topicwire ${VERSION}\n`)
  })
})
