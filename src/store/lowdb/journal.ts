/** The partitioned store's journal: each source's saved items appended and synced before readers see them, folded into the partitions by the next flush. */
import { existsSync } from 'node:fs'
import { type FileHandle, open, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { StoreError } from '../../model/errors.js'
import type { IngestResult } from '../../model/types.js'
import { itemSchema, stateSchema } from '../lowdb.js'
import { syncDir } from './atomic-file.js'
import { createJsonWriter } from './json-writer.js'

const JOURNAL_FILE = /^journal-(\d+)\.jsonl$/
const nameOf = (seq: number): string => `journal-${String(seq).padStart(6, '0')}.jsonl`

const entrySchema = z.object({
  sourceId: z.string().min(1),
  state: stateSchema,
  items: z.array(itemSchema),
})

/** The numbers of the journal files in `dir`, oldest first. */
export const journalSeqs = async (dir: string): Promise<number[]> => {
  if (!existsSync(dir)) return []
  return (await readdir(dir))
    .map((name) => JOURNAL_FILE.exec(name)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
}

/** Bytes of a journal file read at once. */
const READ_BYTES = 1_048_576

/**
 * The entries of the journal files `seqs` of `dir`, oldest first, read a piece at a time: the
 * journal of a first import holds every item it saved (hundreds of MB), and one string of it
 * plus every entry parsed at once would hold it several times over. A damaged line throws a
 * StoreError naming it when it is reached (entries before it have been given already).
 */
export async function* journalEntries(
  dir: string,
  shownDir: string,
  seqs: readonly number[],
  readBytes = READ_BYTES,
): AsyncGenerator<IngestResult> {
  const chunk = Buffer.allocUnsafe(readBytes)
  for (const seq of seqs) {
    const fh = await open(join(dir, nameOf(seq)), 'r')
    try {
      /** The start of a line that the pieces read so far have not ended (copies). */
      let head: Buffer[] = []
      let line = 0
      for (;;) {
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, null)
        if (bytesRead === 0) break
        const piece = chunk.subarray(0, bytesRead)
        let from = 0
        for (let nl = piece.indexOf(10); nl !== -1; nl = piece.indexOf(10, from)) {
          const end = piece.subarray(from, nl)
          const bytes = head.length === 0 ? end : Buffer.concat([...head, end])
          head = []
          from = nl + 1
          line++
          yield parseEntry(bytes.toString('utf8'), join(shownDir, nameOf(seq)), line)
        }
        if (from < bytesRead) head.push(Buffer.from(piece.subarray(from)))
      }
      // Every append ends with a newline and is acknowledged only once synced whole: a last
      // piece without one is a write cut by a crash, which nobody was told of. Dropped.
    } finally {
      await fh.close()
    }
  }
}

/** One journal line's entry, or a StoreError naming `file` and `line` when it is damaged. */
const parseEntry = (text: string, file: string, line: number): IngestResult => {
  try {
    return entrySchema.parse(JSON.parse(text)) as IngestResult
  } catch {
    throw new StoreError(
      `${file} line ${line} is damaged. topicwire will not overwrite it. Move the file aside to start without the items saved since the last flush, or restore a backup.`,
    )
  }
}

/**
 * Removes the journal files `seqs` of `dir` (their entries are in the partitions now). Not synced:
 * a file that comes back after a crash is replayed, which changes nothing.
 */
export const dropJournal = async (dir: string, seqs: readonly number[]): Promise<void> => {
  for (const seq of seqs) await rm(join(dir, nameOf(seq)), { force: true })
}

/**
 * An append-only journal in `dir`, starting at file number `seq`. Appends that arrive while a
 * write is in flight are written and synced together (one fsync for all of them).
 * @example await journal.append(result) // durable now; then apply it to memory
 */
export const createJournal = (dir: string, seq: number) => {
  let fh: FileHandle | undefined
  let created = false
  let queue: Buffer[] = []
  let waiting: Promise<void> | undefined
  let chain: Promise<void> = Promise.resolve()
  const written: number[] = []

  const writeQueued = async (): Promise<void> => {
    const lines = queue
    queue = []
    if (!fh) {
      fh = await open(join(dir, nameOf(seq)), 'a')
      created = true
    }
    // One write of the lines as they are (no copy of them into one buffer).
    if (lines.length === 1) await fh.write(lines[0]!)
    else await fh.writev(lines)
    await fh.sync()
    if (created) {
      // The new file's name must be durable too, once.
      created = false
      await syncDir(dir)
    }
    if (written.at(-1) !== seq) written.push(seq)
  }

  return {
    /**
     * Appends `r` durably; rejects (and `r` must not be applied) when the write fails. `line`:
     * {@link encodeEntry}'s line of `r` when the caller made it (the store files the same bytes
     * of each item in its spill file), else it is made here.
     */
    append(r: IngestResult, line?: Buffer): Promise<void> {
      queue.push(line ?? encodeEntry(r).line)
      if (!waiting) {
        const run = chain.then(() => {
          waiting = undefined
          return writeQueued()
        })
        waiting = run
        chain = run.catch(() => undefined)
      }
      return waiting
    },
    /**
     * Closes the current file once every earlier append is written: later appends go to the next
     * one. Returns the files written so far (to drop once a flush has folded them).
     */
    async rotate(): Promise<number[]> {
      const done = chain.then(async () => {
        const h = fh
        fh = undefined
        seq++
        await h?.close()
        return written.splice(0)
      })
      chain = done.then(
        () => undefined,
        () => undefined,
      )
      return done
    },
    async close(): Promise<void> {
      await chain
      await fh?.close()
      fh = undefined
    },
  }
}

/** The UTF-8 bytes of `value`'s JSON. */
export const jsonBytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

/** Where {@link encodeEntry} writes its lines (each a view of one of its blocks). */
let writer: ReturnType<typeof createJsonWriter> | undefined

/**
 * One journal line: the JSON of `r` (source, state, then its items) and a newline, in one buffer,
 * and where each item's JSON lies in it (`spans[2k]`, `spans[2k + 1]`: offset and length of item
 * k's): a poll's items are encoded once, for the journal and the spill file both. The items are
 * written straight into the line's bytes (json-writer.ts), not stringified then copied; the line
 * is a view of a block that later lines do not overwrite.
 * @example const { line, spans } = encodeEntry(result) // line.subarray(spans[0], spans[0] + spans[1]): item 0's JSON
 */
export const encodeEntry = (r: IngestResult): { line: Buffer; spans: number[] } => {
  writer ??= createJsonWriter()
  const w = writer
  w.begin()
  w.raw(`{"sourceId":${JSON.stringify(r.sourceId)},"state":${JSON.stringify(r.state)},"items":[`)
  const spans: number[] = []
  const { items } = r
  for (let k = 0; k < items.length; k++) {
    if (k > 0) w.byte(0x2c) // ,
    const at = w.offset()
    w.record(items[k] as unknown as Record<string, unknown>)
    spans.push(at, w.offset() - at)
  }
  w.byte(0x5d) // ]
  w.byte(0x7d) // }
  w.byte(0x0a) // \n
  return { line: w.end(), spans }
}

/** The number the next journal file of `dir` takes (after every one found). */
export const nextJournalSeq = (seqs: readonly number[]): number => (seqs.at(-1) ?? 0) + 1
