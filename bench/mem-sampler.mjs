/**
 * A look inside a process's memory while it runs: `node --import ./bench/mem-sampler.mjs …`
 * (e.g. `BENCH_START_ONLY=cold BENCH_COLD_NODE_ARGS='--import ./bench/mem-sampler.mjs' npm run
 * bench start`). Every 50 ms each thread samples its V8 heap and array buffers and the process's
 * VmRSS; at exit (and every 2 s on worker threads, which may be terminated without one) it appends
 * to MEM_SAMPLES (default .bench/mem-samples.jsonl) one JSON line: the thread's numbers at the
 * process's highest VmRSS it saw, its own heap peak, and on the main thread one sample a second.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isMainThread, threadId } from 'node:worker_threads'

const out = process.env.MEM_SAMPLES ?? '.bench/mem-samples.jsonl'
mkdirSync(dirname(out), { recursive: true })
const MB = 2 ** 20
const statusKb = (field) =>
  Number(
    new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1],
  )

const started = Date.now()
/** The sample taken at the highest process VmRSS seen, and the one of this thread's largest heap. */
let atPeak = { rssMb: 0 }
let heapPeak = { heapUsedMb: 0 }
const series = []

const sample = () => {
  const m = process.memoryUsage()
  const s = {
    t: Date.now() - started,
    rssMb: Math.round(statusKb('VmRSS') / 1024),
    heapUsedMb: Math.round(m.heapUsed / MB),
    heapTotalMb: Math.round(m.heapTotal / MB),
    arrayBuffersMb: Math.round(m.arrayBuffers / MB),
  }
  if (s.rssMb > atPeak.rssMb) atPeak = s
  if (s.heapUsedMb > heapPeak.heapUsedMb) heapPeak = s
  if (isMainThread && (series.length === 0 || s.t - (series.at(-1)?.t ?? 0) >= 1000)) series.push(s)
}

const report = () => {
  const line = { main: isMainThread, threadId, atPeak, heapPeak, hwmMb: statusKb('VmHWM') / 1024 }
  appendFileSync(out, `${JSON.stringify(isMainThread ? { ...line, series } : line)}\n`)
}

setInterval(sample, 50).unref()
if (!isMainThread) setInterval(report, 2000).unref()
process.on('exit', () => {
  sample()
  report()
})
