// Child of young-generation.test.ts: allocates like a first import (a heap that keeps growing,
// with garbage beside it), optionally held and then let grow to a cap of 8 MB, and prints the largest young
// generation it saw and the young generation a worker started afterwards begins with.
import { getHeapSpaceStatistics } from 'node:v8'
import { Worker } from 'node:worker_threads'
import { growYoungGenerationTo, holdYoungGeneration } from '../../src/util/young-generation.mjs'

const youngMb = () =>
  (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / 1_048_576

const capped = process.argv[2] === 'capped'
if (capped) {
  holdYoungGeneration(6)
  growYoungGenerationTo(8)
}
const kept = []
let largest = 0
for (let round = 0; round < 60; round++) {
  for (let i = 0; i < 40_000; i++) {
    const o = { n: i, s: `item ${round} ${i}` }
    if (i % 4 === 0) kept.push(o)
  }
  // Lets the collector's notifications (and the switch) run between bursts, as a poll's awaits do.
  await new Promise((r) => setImmediate(r))
  largest = Math.max(largest, youngMb())
}
const worker = new Worker(
  `const { getHeapSpaceStatistics } = require('node:v8')
   const { parentPort } = require('node:worker_threads')
   parentPort.postMessage(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576)`,
  { eval: true, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 } },
)
const workerYoung = await new Promise((ok) => worker.once('message', ok))
await worker.terminate()
process.stdout.write(`${JSON.stringify({ largest, kept: kept.length, workerYoung })}\n`)
