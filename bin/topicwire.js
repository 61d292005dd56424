#!/usr/bin/env node
// The `topicwire` command. Runs the JavaScript that `npm run build` (run by `npm ci`) bundled into
// dist/ with plain node; in a checkout whose src/ changed since that build, it runs the TypeScript
// sources through tsx instead, so a developer never runs stale code.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const args = process.argv.slice(2)

// Answered before loading anything else: the cheapest command must stay cheap.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  process.stdout.write(`topicwire ${version}\n`)
  process.exit(0)
}

/** Newest modification time (ms) of the TypeScript files under `dir`; 0 when there is no such folder. */
const newestSource = (dir) => {
  let newest = 0
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const e of entries) {
    const path = join(dir, e.name)
    const t = e.isDirectory() ? newestSource(path) : statSync(path).mtimeMs
    if (t > newest) newest = t
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
process.exitCode = await main(args, process.env)
