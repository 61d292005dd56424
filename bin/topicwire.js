#!/usr/bin/env node
// The `topicwire` command. Runs the JavaScript that `npm run build` (run by `npm ci`) bundled into
// dist/ with plain node; in a checkout whose src/ changed since that build, it runs the TypeScript
// sources through tsx instead, so a developer never runs stale code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const args = process.argv.slice(2)

// Answered before loading anything else: the cheapest command must stay cheap.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  process.stdout.write(`topicwire ${version}\n`)
  process.exit(0)
}

// `fetch --once` (a first import of every feed, or cron's poll) holds the main thread's young
// generation small, from the start: it grows while the modules load (src/util/young-generation.mjs).
if (args.includes('--once')) {
  const built = new URL('../dist/util/young-generation.mjs', import.meta.url)
  const { holdYoungGeneration } = await import(
    existsSync(built)
      ? built.href
      : new URL('../src/util/young-generation.mjs', import.meta.url).href
  )
  holdYoungGeneration()
}

/**
 * Newest modification time (ms) of the files under `dir`; 0 when there is no such folder. Paths
 * joined by hand, folders from a stack: every command from a checkout pays this walk first.
 */
const newestSource = (dir) => {
  let newest = 0
  const folders = [dir]
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries
    try {
      entries = readdirSync(folder, { withFileTypes: true })
    } catch {
      continue
    }
    for (const e of entries) {
      const path = `${folder}/${e.name}`
      if (e.isDirectory()) folders.push(path)
      else {
        const t = statSync(path).mtimeMs
        if (t > newest) newest = t
      }
    }
  }
  return newest
}

const builtAt = (() => {
  try {
    return statSync(join(root, 'dist/.build-stamp')).mtimeMs
  } catch {
    return -1
  }
})()

let main
if (builtAt >= 0 && newestSource(join(root, 'src')) <= builtAt) {
  ;({ main } = await import('../dist/bundle/cli.js'))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli/index.ts'))
}
const code = await main(args, process.env)
if (args.includes('--once')) {
  // `fetch --once` is done once main returns: its store is written and closed, its workers have
  // ended. Exiting here skips the teardown of the heap (~0.2 s of a first import's wall: a few
  // hundred MB freed a page at a time, which the process's exit does at once); the output is
  // written first (files and pipes are written synchronously on POSIX systems, a TTY perhaps not).
  await Promise.all(
    [process.stdout, process.stderr].map((s) => new Promise((done) => s.write('', done))),
  )
  process.exit(code)
}
process.exitCode = code
