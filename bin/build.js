#!/usr/bin/env node
// `npm run build` (run by `npm ci` through `prepare`): compiles src/ to dist/ with tsc, copies the
// worker's boot file, vendors the patched sanitize-html, and stamps the build so that
// bin/topicwire.js can tell a stale dist/ from a fresh one.
import { spawnSync } from 'node:child_process'
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')
const require = createRequire(import.meta.url)
rmSync(dist, { recursive: true, force: true })
const tsc = require.resolve('typescript/bin/tsc')
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
})
if (run.status !== 0) process.exit(run.status ?? 1)
copyFileSync(join(root, 'src/ingest/workers/boot.mjs'), join(dist, 'ingest/workers/boot.mjs'))

/**
 * sanitize-html as patches/ leaves it, bundled with its dependencies into dist/vendor/: an install
 * that runs no scripts (npm 11 skips a global install's postinstall unless allowed) has the
 * registry's unpatched copy in node_modules, and the compiled code must not run that one. The
 * build refuses to vendor a copy the patch was not applied to.
 */
const vendorSanitizeHtml = async () => {
  const entry = require.resolve('sanitize-html')
  const patch = readFileSync(join(root, 'patches/sanitize-html+2.17.0.patch'), 'utf8')
  // Every line the patch adds (what `patch-package` leaves in the file) must be in the copy.
  const added = patch
    .split('\n')
    .filter((l) => l.startsWith('+') && !l.startsWith('+++') && l.trim().length > 1)
    .map((l) => l.slice(1))
  const text = readFileSync(entry, 'utf8')
  const missing = added.find((l) => !text.includes(l))
  if (missing !== undefined) {
    console.error(
      `build: ${entry} is not patched (line missing: ${JSON.stringify(missing.trim())}); run \`npx patch-package\` first`,
    )
    process.exit(1)
  }
  // esbuild comes with tsx (a dependency): resolved through it, as npm may not hoist it.
  const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild')
  const out = join(dist, 'vendor/sanitize-html.cjs')
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    legalComments: 'inline',
    logLevel: 'warning',
  })
  // The compiled modules that import it import the vendored file instead.
  let rewritten = 0
  const rewrite = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory()) rewrite(path)
      else if (e.name.endsWith('.js')) {
        const js = readFileSync(path, 'utf8')
        if (!/['"]sanitize-html['"]/.test(js)) continue
        const to = relative(dirname(path), out)
        const spec = to.startsWith('.') ? to : `./${to}`
        const next = js.replace(/(from\s+)(['"])sanitize-html\2/g, `$1'${spec}'`)
        if (/['"]sanitize-html['"]/.test(next.replace(/^\/\/.*$/gm, ''))) {
          console.error(`build: ${path} loads sanitize-html in a way the build cannot redirect`)
          process.exit(1)
        }
        writeFileSync(path, next)
        rewritten++
      }
    }
  }
  rewrite(dist)
  if (rewritten === 0) {
    console.error('build: no compiled module imports sanitize-html; bin/build.js is out of date')
    process.exit(1)
  }
}
await vendorSanitizeHtml()
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`)
