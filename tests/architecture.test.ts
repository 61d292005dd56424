/** The import-direction rule of DESIGN §1, checked on the source files themselves. */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../src')

/**
 * Layers from the bottom: a module may import its own folder and any lower layer; folders that
 * share a layer may not import each other (ingest, store and publish meet only in runtime.ts).
 */
const LAYERS: string[][] = [
  ['model'],
  ['util'],
  ['topics'],
  ['config'],
  ['ingest', 'store', 'publish'],
  ['http'],
  ['runtime.ts', 'cli'],
]

const layerOf = (area: string) => LAYERS.findIndex((l) => l.includes(area))

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

/** `src/ingest/fetch.ts` → `ingest`; `src/runtime.ts` → `runtime.ts`. */
const areaOf = (file: string) => relative(SRC, file).split('/')[0] ?? ''

const imports = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)].map(
    (m) => resolve(dirname(file), m[1] ?? ''),
  )

describe('architecture', () => {
  const files = walk(SRC)

  it('knows every top-level folder of src/', () => {
    for (const f of files) expect(layerOf(areaOf(f)), f).toBeGreaterThanOrEqual(0)
  })

  it('imports only downwards: model ← util ← topics ← config ← ingest | store | publish ← http ← cli', () => {
    const violations: string[] = []
    for (const file of files) {
      const from = areaOf(file)
      for (const target of imports(file)) {
        const to = areaOf(target)
        if (to === from) continue
        const ok = layerOf(to) < layerOf(from) || (from === 'cli' && to === 'runtime.ts')
        if (!ok) violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`)
      }
    }
    expect(violations).toEqual([])
  })

  it('lets only runtime.ts and the CLI pick a store driver', () => {
    const pickers = files.filter((f) =>
      imports(f).some((t) => /store\/(lowdb|memory)\.js$/.test(t) && areaOf(f) !== 'store'),
    )
    expect(pickers.map((f) => relative(SRC, f))).toEqual(['runtime.ts'])
  })

  it('reads process.env only in config/load.ts (bin/topicwire.js passes it to main)', () => {
    const readers = files.filter((f) => /process\.env/.test(readFileSync(f, 'utf8')))
    expect(readers.map((f) => relative(SRC, f)).sort()).toEqual(['config/load.ts'])
  })
})
