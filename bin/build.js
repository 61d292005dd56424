#!/usr/bin/env node
// `npm run build` (run by `npm ci` through `prepare`): compiles src/ to dist/ with tsc, copies the
// workers' boot files, and stamps the build so that bin/topicwire.js can tell a stale dist/ from a fresh one.
import { spawnSync } from 'node:child_process'
import { copyFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')
rmSync(dist, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
})
if (run.status !== 0) process.exit(run.status ?? 1)
copyFileSync(join(root, 'src/ingest/workers/boot.mjs'), join(dist, 'ingest/workers/boot.mjs'))
copyFileSync(join(root, 'src/topics/learn-boot.mjs'), join(dist, 'topics/learn-boot.mjs'))
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`)
