#!/usr/bin/env node
// `npm run build` (run by `npm ci` through `prepare`): compiles src/ to dist/ with tsc, copies the
// workers' boot file, vendors the patched sanitize-html, zod, yaml and undici, bundles the command line
// and the analysis worker, and stamps the build so that bin/topicwire.js can tell a stale dist/ from a fresh one.
import { spawnSync } from 'node:child_process'
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')
const require = createRequire(import.meta.url)
rmSync(dist, { recursive: true, force: true })
const tsc = require.resolve('typescript/bin/tsc')
const ts = require('typescript')
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
})
if (run.status !== 0) process.exit(run.status ?? 1)
copyFileSync(join(root, 'src/util/worker-boot.mjs'), join(dist, 'util/worker-boot.mjs'))
copyFileSync(join(root, 'src/util/young-generation.mjs'), join(dist, 'util/young-generation.mjs'))

// esbuild comes with tsx (a dependency): resolved through it, as npm may not hoist it.
const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild')
const vendor = join(dist, 'vendor')

/** esbuild for node 20, as every step below bundles: ES modules unless `options` says otherwise. */
const bundle = (options) =>
  esbuild.build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    legalComments: 'inline',
    logLevel: 'warning',
    ...options,
  })

/**
 * What the vendored packages are bundled with besides: their code without comments and spaces
 * (names kept, so stack traces still name functions). V8 reads the whole text of every module
 * a command loads before running it, and yaml and zod are most of what `check` loads.
 */
const VENDOR_MINIFY = { minifyWhitespace: true, minifySyntax: true }

/**
 * Bundles the ES module text `contents` (resolved from the project root) into `out`, minified as
 * every vendored file is; `requires`: the code inside is CommonJS that requires node's modules,
 * and an ES module has no `require` of its own, so one is made for it.
 */
const bundleVendor = (contents, out, { requires = false } = {}) =>
  bundle({
    stdin: { contents, resolveDir: root, loader: 'js' },
    ...(requires && {
      banner: {
        js: "import { createRequire as vendorRequire } from 'node:module'; const require = vendorRequire(import.meta.url);",
      },
    }),
    outfile: out,
    ...VENDOR_MINIFY,
  })

/** Paths of the compiled modules (every .js under dist/ but the vendored files). */
const compiledModules = (dir = dist) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return path === vendor ? [] : compiledModules(path)
    return e.name.endsWith('.js') ? [path] : []
  })

/**
 * Points every compiled module's static imports of the package `name` at the vendored file `out`;
 * fails the build when a module loads it some other way (a dynamic import or a subpath).
 */
const redirectImports = (name, out) => {
  const quoted = new RegExp(`['"]${name}(/[^'"]*)?['"]`)
  const from = new RegExp(`(from\\s+)(['"])${name}\\2`, 'g')
  let rewritten = 0
  for (const path of compiledModules()) {
    const js = readFileSync(path, 'utf8')
    if (!quoted.test(js)) continue
    const to = relative(dirname(path), out)
    const next = js.replace(from, `$1'${to.startsWith('.') ? to : `./${to}`}'`)
    if (quoted.test(next.replace(/^\s*(\/\/|\*).*$/gm, ''))) {
      console.error(`build: ${path} loads ${name} in a way the build cannot redirect`)
      process.exit(1)
    }
    writeFileSync(path, next)
    rewritten++
  }
  if (rewritten === 0) {
    console.error(`build: no compiled module imports ${name}; bin/build.js is out of date`)
    process.exit(1)
  }
}

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
  const out = join(vendor, 'sanitize-html.cjs')
  await bundle({
    entryPoints: [entry],
    format: 'cjs',
    outfile: out,
    ...VENDOR_MINIFY,
  })
  redirectImports('sanitize-html', out)
}

/**
 * A package of many small modules (yaml: about eighty), bundled into one
 * file of dist/vendor/ with the same named exports: resolving and compiling them one by one was
 * a third of `check`'s start-up. Every compiled module imports the one file, so there is still
 * one instance of each class (instanceof and zod's registries hold).
 */
const vendorPackage = async (name) => {
  const names = Object.keys(await import(name)).filter((n) => n !== 'default')
  const out = join(vendor, `${name}.js`)
  // CommonJS inside (yaml requires node's modules).
  await bundleVendor(`export { ${names.join(', ')} } from '${name}'`, out, { requires: true })
  redirectImports(name, out)
}

/**
 * zod as a `z` of only the functions the compiled code calls: its whole namespace (every locale,
 * JSON Schema, the ISO and codec helpers) is three quarters of a megabyte that `check` parsed and
 * compiled on every start for a dozen functions. The build reads the uses off the compiled
 * modules and fails when a module uses `z` other than as `z.name` or names something zod lacks.
 */
const vendorZod = async () => {
  const zod = await import('zod')
  const used = new Set()
  for (const path of compiledModules()) {
    const js = readFileSync(path, 'utf8')
    if (!/from\s+['"]zod['"]/.test(js)) continue
    // The parser, not a pattern: "z" in strings, regular expressions and comments is not zod.
    const file = ts.createSourceFile(path, js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS)
    const visit = (node) => {
      if (ts.isIdentifier(node) && node.text === 'z' && !ts.isImportSpecifier(node.parent)) {
        const access = ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node
        const name = access ? node.parent.name.text : undefined
        if (name === undefined || !(name in zod.z)) {
          console.error(
            `build: ${path} uses zod's z as "${node.parent.getText(file)}", which the vendored z cannot give; extend bin/build.js`,
          )
          process.exit(1)
        }
        used.add(name)
      }
      ts.forEachChild(node, visit)
    }
    visit(file)
  }
  const names = [...used].sort()
  const out = join(vendor, 'zod.js')
  // Named imports (renamed: `enum` is a reserved word) are what esbuild can tree-shake.
  await bundleVendor(
    `import { ${names.map((n) => `${n} as z_${n}`).join(', ')} } from 'zod'\nexport const z = Object.freeze({ ${names.map((n) => `${n}: z_${n}`).join(', ')} })`,
    out,
  )
  redirectImports('zod', out)
}

/**
 * undici as the two things the compiled code takes from it (an Agent and `request` on it), in one
 * file of dist/vendor/: its index requires about a hundred modules (fetch, WebSocket, caches,
 * mocks) that a `fetch --once` of sources that all answer 304 spent much of its start-up loading.
 * `request` is undici's own (the API function on the dispatcher the call names, with the origin
 * and path undici's exported `request` splits the URL into); the build fails when the compiled
 * code takes anything else from undici.
 */
const vendorUndici = async () => {
  const taken = new Set()
  for (const path of compiledModules()) {
    for (const m of readFileSync(path, 'utf8').matchAll(
      /import\s*\{([^}]*)\}\s*from\s*['"]undici['"]/g,
    ))
      for (const name of m[1]
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean))
        taken.add(name)
  }
  const extra = [...taken].filter((n) => n !== 'Agent' && n !== 'request')
  if (extra.length > 0) {
    console.error(
      `build: the compiled code takes ${extra.join(', ')} from undici, which the vendored undici lacks; extend bin/build.js`,
    )
    process.exit(1)
  }
  const out = join(vendor, 'undici.js')
  // CommonJS inside (undici requires node's modules).
  await bundleVendor(
    `import Agent from 'undici/lib/dispatcher/agent.js'
import api from 'undici/lib/api/index.js'
import util from 'undici/lib/core/util.js'
export { Agent }
export const request = (url, opts) => {
  if (!opts || !opts.dispatcher) throw new TypeError('vendored undici: request needs opts.dispatcher')
  const u = util.parseURL(url)
  const path = u.search ? \`\${u.pathname}\${u.search}\` : u.pathname
  return api.request.call(opts.dispatcher, { ...opts, origin: u.origin, path, method: opts.method || (opts.body ? 'PUT' : 'GET') })
}
`,
    out,
    { requires: true },
  )
  redirectImports('undici', out)
}

/**
 * A plugin that gives a compiled module's `import.meta.url` back to it inside a bundle written to
 * `out`: the module's own compiled file's URL, from which it finds the data files and packages it
 * names (chunks sit at the top of `out`).
 */
const selfUrlIn = (out) => ({
  name: 'import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(js|cjs)$/ }, (args) => {
      if (!args.path.startsWith(`${dist}/`)) return undefined
      const js = readFileSync(args.path, 'utf8')
      if (!js.includes('import.meta.url')) return undefined
      const from = relative(out, args.path)
      return {
        contents: js.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(from)}, import.meta.url).href`,
        ),
        loader: 'js',
      }
    })
  },
})

/**
 * The command line as one ES module, dist/bundle/cli.js, that bin/topicwire.js runs, with one
 * chunk per command (and chunks of what commands share) beside it: node resolves, reads and
 * compiles a handful of files instead of one per module, and a command still loads only the
 * chunks of the modules it reaches. Packages stay in node_modules, except the vendored files.
 * A module's `import.meta.url` becomes its own compiled file's URL again: the worker entries and
 * data files it names are found beside that file.
 */
const bundleCli = () => bundleSplit({ cli: join(dist, 'cli/index.js') }, join(dist, 'bundle'))

/**
 * The ES modules of `entryPoints` bundled into `out` with esbuild's code splitting (a chunk per
 * dynamic import and per piece that entries share), packages left in node_modules, each
 * module's `import.meta.url` its own compiled file's again.
 */
const bundleSplit = (entryPoints, out) =>
  bundle({
    entryPoints,
    splitting: true,
    packages: 'external',
    outdir: out,
    chunkNames: '[name]-[hash]',
    // CommonJS bundled in (sanitize-html) requires node's modules: an ES module has no `require`.
    banner: {
      js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
    },
    plugins: [selfUrlIn(out)],
  })

/**
 * The analysis worker's modules (ingest/workers/worker.js and all it imports) bundled into
 * dist/worker/, which ingest/workers/pool.js starts its threads on: a worker thread loads its own
 * copy of every module, and loading ~100 files one by one (resolved, read and compiled in turn)
 * kept a first import's worker from its first document for ~0.5 s. Two entries: `analyse.js`,
 * what a prestarted worker loads while it waits for its topics (pool.ts's preload), and
 * `worker.js`, the entry, which adds the little that is its own; the code they share is one chunk.
 * Packages stay in node_modules, as in the command line's bundle.
 */
const bundleAnalysisWorker = () =>
  bundleSplit(
    {
      worker: join(dist, 'ingest/workers/worker.js'),
      analyse: join(dist, 'ingest/analyse.js'),
    },
    join(dist, 'worker'),
  )

await vendorSanitizeHtml()
await vendorZod()
await vendorPackage('yaml')
await vendorUndici()
await bundleCli()
await bundleAnalysisWorker()
writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`)
