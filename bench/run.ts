/** `npm run bench [name…]`: runs the benchmarks in bench/*.bench.ts (all, or those named). */
import { readdirSync } from 'node:fs'
import { basename } from 'node:path'

/** Every benchmark module exports this. */
export interface Benchmark {
  /** Prints its own results (numbers and ratios measured in one run). */
  run(): Promise<void>
}

const dir = import.meta.dirname
const wanted = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(basename(f, '.bench.ts')))
  .sort()
if (files.length === 0) {
  console.error(`no benchmark named ${wanted.join(', ')}; have: ${readdirSync(dir).join(', ')}`)
  process.exitCode = 2
}
for (const file of files) {
  console.log(`\n=== ${basename(file, '.bench.ts')} ===`)
  const mod = (await import(`./${file}`)) as Benchmark
  await mod.run()
}
