/**
 * `npx tsx bench/journal-encode.ts [feeds] [rounds]`: the journal lines of the first run of `npm
 * run bench peers` (a save per feed, as bench/store-import.ts makes them), made by encodeEntry and
 * as it made them before json-writer.ts (each item's JSON string written into a buffer, then the
 * line copied out), in alternating rounds, with the CPU each took (the process's: GC threads
 * included); both are compared with the entry's JSON first (the run fails if they differ).
 * BENCH_REPLAY_CACHE=FILE keeps the analysed items between runs (see bench/peers-analysed.ts).
 */
import type { IngestResult } from '../src/model/types.js'
import { encodeEntry } from '../src/store/lowdb/journal.js'
import { analysedPeersFeeds } from './peers-analysed.js'

const FEEDS = Number(process.argv[2] ?? 1000)
const ROUNDS = Number(process.argv[3] ?? 5)

const entries: IngestResult[] = (await analysedPeersFeeds(FEEDS)).map(({ items }, f) => {
  const sourceId = `outlet-${f}`
  // In the order encodeEntry writes an entry's keys.
  return {
    sourceId,
    state: { sourceId, failures: 0, nextPollAt: '2026-12-05T13:00:00.000Z' },
    items: items.map((i) => ({ ...i, sourceId })),
  }
})

const stringified = (r: IngestResult): Buffer => Buffer.from(`${JSON.stringify(r)}\n`)

/** The line as encodeEntry made it before json-writer.ts: each item's JSON string written into a scratch buffer, then copied out. */
let scratch = Buffer.allocUnsafeSlow(1_048_576)
const previous = (r: IngestResult): Buffer => {
  const head = `{"sourceId":${JSON.stringify(r.sourceId)},"state":${JSON.stringify(r.state)},"items":[`
  const texts = r.items.map((item) => JSON.stringify(item))
  let most = 3 * head.length + texts.length + 3
  for (const t of texts) most += 3 * t.length
  if (most > scratch.length) scratch = Buffer.allocUnsafeSlow(most)
  let at = scratch.write(head, 0)
  for (let k = 0; k < texts.length; k++) {
    if (k > 0) scratch[at++] = 0x2c
    at += scratch.write(texts[k] as string, at)
  }
  at += scratch.write(']}\n', at)
  return Buffer.from(scratch.subarray(0, at))
}

for (const r of entries) {
  const json = stringified(r)
  if (!encodeEntry(r).line.equals(json) || !previous(r).equals(json)) {
    throw new Error(`encodeEntry's line of ${r.sourceId} is not its JSON`)
  }
}

const cpuMs = (f: () => number): [number, number] => {
  const start = process.cpuUsage()
  const bytes = f()
  const used = process.cpuUsage(start)
  return [(used.user + used.system) / 1000, bytes]
}
const ways: [string, (r: IngestResult) => Buffer][] = [
  ['encodeEntry', (r) => encodeEntry(r).line],
  ['before (JSON.stringify of each item, written, copied)', previous],
]
const spent = new Map<string, number[]>()
let bytes = 0
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, way] of ways) {
    const [ms, n] = cpuMs(() => {
      let sum = 0
      for (const r of entries) sum += way(r).length
      return sum
    })
    bytes = n
    spent.set(name, [...(spent.get(name) ?? []), ms])
  }
}
console.log(
  `${entries.length} saves, ${(bytes / 1_048_576).toFixed(1)} MiB of journal lines a round`,
)
for (const [name, ms] of spent) {
  console.log(`${name}: ${ms.map((m) => m.toFixed(0)).join(' / ')} CPU-ms (rounds in order)`)
}
