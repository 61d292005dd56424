/** The layers of DESIGN §1 and README's architecture section, checked on the source files themselves. */
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
  ['config', 'stories'],
  ['ingest', 'store', 'publish'],
  ['http'],
  ['runtime.ts', 'cli'],
]

const layerOf = (area: string) => LAYERS.findIndex((l) => l.includes(area))

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name))
      : /\.(ts|mjs)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  )

/** `src/ingest/fetch/client.ts` → `ingest`; `src/runtime.ts` → `runtime.ts`. */
const areaOf = (file: string) => relative(SRC, file).split('/')[0] ?? ''

/** `src/ingest/fetch/client.ts` → `ingest/fetch`; `src/ingest/refresh.ts` → `ingest`. */
const folderOf = (file: string) => dirname(relative(SRC, file))

/** Every relative module a file imports or re-exports, types included, as absolute `.ts` paths. */
const imports = (file: string): string[] =>
  [
    ...readFileSync(file, 'utf8').matchAll(
      /^(?:import|export)[^'"]*from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm,
    ),
  ].map((m) => resolve(dirname(file), (m[1] ?? m[2] ?? '').replace(/\.js$/, '.ts')))

/** The import circles among `files`. */
const circles = (files: string[]): string[][] =>
  circlesIn(new Map(files.map((f) => [f, imports(f).filter((t) => t !== f)])))

/** Each strongly connected group of more than one node of `graph` (Tarjan), sorted. */
const circlesIn = (graph: Map<string, string[]>): string[][] => {
  const files = [...graph.keys()]
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let next = 0
  // Iterative, so that a long chain of imports cannot overflow the stack.
  for (const root of files) {
    if (index.has(root)) continue
    const work: Array<{ node: string; edge: number }> = [{ node: root, edge: 0 }]
    index.set(root, next)
    low.set(root, next++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const top = work[work.length - 1] as { node: string; edge: number }
      const edges = graph.get(top.node) ?? []
      if (top.edge < edges.length) {
        const to = edges[top.edge++] as string
        if (!graph.has(to)) continue
        if (!index.has(to)) {
          index.set(to, next)
          low.set(to, next++)
          stack.push(to)
          onStack.add(to)
          work.push({ node: to, edge: 0 })
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node) ?? 0, index.get(to) ?? 0))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(top.node) ?? 0))
      if (low.get(top.node) !== index.get(top.node)) continue
      const group: string[] = []
      for (;;) {
        const f = stack.pop() as string
        onStack.delete(f)
        group.push(relative(SRC, f))
        if (f === top.node) break
      }
      if (group.length > 1) found.push(group.sort())
    }
  }
  return found
}

describe('architecture', () => {
  const files = walk(SRC)

  it('knows every top-level folder of src/', () => {
    for (const f of files) expect(layerOf(areaOf(f)), f).toBeGreaterThanOrEqual(0)
  })

  it('imports only downwards: model ← util ← topics ← config | stories ← ingest | store | publish ← http ← cli', () => {
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

  it('keeps http off ingest: a request never reaches into the poller', () => {
    const reaching = files
      .filter((f) => areaOf(f) === 'http')
      .flatMap((f) =>
        imports(f)
          .filter((t) => areaOf(t) === 'ingest')
          .map((t) => `${relative(SRC, f)} → ${relative(SRC, t)}`),
      )
    expect(reaching).toEqual([])
  })

  it.each([
    ['ingest/fetch', 'the HTTP client knows nothing of parsing or the poll'],
    ['ingest/parse', 'the parser knows nothing of fetching or the poll'],
  ])('lets %s import only itself and lower layers (%s)', (folder) => {
    const outside = files
      .filter((f) => folderOf(f) === folder)
      .flatMap((f) =>
        imports(f)
          .filter((t) => areaOf(t) === 'ingest' && folderOf(t) !== folder)
          .map((t) => `${relative(SRC, f)} → ${relative(SRC, t)}`),
      )
    expect(outside).toEqual([])
  })

  it('has no import circles, inside a folder or across folders', () => {
    expect(circles(files)).toEqual([])
  })

  it('finds a circle when there is one (the check itself)', () => {
    const at = (name: string) => join(SRC, name)
    const graph = (edges: Record<string, string[]>) =>
      new Map(Object.entries(edges).map(([f, ts]) => [at(f), ts.map(at)]))
    expect(circlesIn(graph({ a: ['b'], b: ['c'], c: [] }))).toEqual([])
    expect(circlesIn(graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c']])
    expect(circlesIn(graph({ a: ['b'], b: ['a'], c: ['d'], d: ['c'] }))).toHaveLength(2)
  })

  it('has no re-export shims: a name is imported from the file that defines it', () => {
    const shims = files.filter((f) => /^export\s[^\n]*\sfrom\s+'/m.test(readFileSync(f, 'utf8')))
    expect(shims.map((f) => relative(SRC, f))).toEqual([])
  })

  it('lets only runtime.ts and the CLI pick a store driver', () => {
    const pickers = files.filter((f) =>
      imports(f).some((t) => /store\/(lowdb|memory)(\.ts$|\/)/.test(t) && areaOf(f) !== 'store'),
    )
    expect(pickers.map((f) => relative(SRC, f))).toEqual(['runtime.ts'])
  })

  it('reads process.env only in config/load.ts (bin/topicwire.js passes it to main)', () => {
    const readers = files.filter((f) => /process\.env/.test(readFileSync(f, 'utf8')))
    expect(readers.map((f) => relative(SRC, f)).sort()).toEqual(['config/load.ts'])
  })
})
