// Child of old-generation.test.ts, run with --trace-gc-verbose: a heap that keeps growing with
// garbage beside it, as a first import's does, under growOldGeneration (30%, or `slackMb` if
// more) or a fixed 30%. V8 prints the limit each full collection sets ("[HeapController] Limit:
// old size: … KB, new limit: … KB (factor)"); the last line is what the child kept.
import { setFlagsFromString } from 'node:v8'
import { tsImport } from 'tsx/esm/api'

const { growOldGeneration } = await tsImport('../../src/util/old-generation.ts', import.meta.url)

const [mode, slackMb] = [process.argv[2], Number(process.argv[3] ?? 20)]
let stop = () => undefined
if (mode === 'slack') stop = growOldGeneration({ floorPercent: 30, slackMb })
else setFlagsFromString('--heap-growing-percent=30')
const kept = []
for (let round = 0; round < 120; round++) {
  let garbage = []
  for (let i = 0; i < 20_000; i++) {
    const o = { n: i, s: `item ${round} ${i}`, more: [round, i] }
    if (i % 4 === 0) kept.push(o)
    else garbage.push(o)
    // Garbage that lives long enough to be promoted, as a poll's does.
    if (garbage.length > 5_000) garbage = []
  }
  // Lets the collector's notifications (and the rule) run between bursts, as a poll's awaits do.
  await new Promise((r) => setImmediate(r))
}
stop()
process.stdout.write(`${JSON.stringify({ kept: kept.length })}\n`)
