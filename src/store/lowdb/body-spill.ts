/** createBodySpill: a scratch file where the partitioned store puts the JSON of bodies it has not written yet, so that they do not stay in memory. */
import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs'

/** Where one body lies in the spill file. */
export interface SpillSpan {
  off: number
  len: number
}

export interface BodySpill {
  /** Appends `json` (synchronously: the store files an item in one step); returns where it lies. */
  put(json: Buffer): SpillSpan
  /** The bytes of a span `put` returned since the last {@link BodySpill.clear}. */
  read(span: SpillSpan): Buffer
  /** Forgets every span (the file is emptied): call it only once no span is in use. */
  clear(): void
  /** Bytes in the file now. */
  size(): number
  /** Closes and removes the file (when it made one). */
  close(): void
}

/**
 * A spill file at `file`, created on the first `put`. It needs no sync and survives no crash: the
 * store's journal is what makes a save durable, and a leftover `.tmp` file is removed at open.
 * @example const spill = createBodySpill('data/db/.bodies.tmp'); const at = spill.put(bytes)
 */
export const createBodySpill = (file: string): BodySpill => {
  let fd: number | undefined
  let end = 0
  return {
    put(json) {
      fd ??= openSync(file, 'w+')
      let done = 0
      while (done < json.length) done += writeSync(fd, json, done, json.length - done, end + done)
      const span = { off: end, len: json.length }
      end += json.length
      return span
    },
    read(span) {
      const out = Buffer.allocUnsafe(span.len)
      let done = 0
      while (done < span.len) {
        const n = fd === undefined ? 0 : readSync(fd, out, done, span.len - done, span.off + done)
        if (n === 0) throw new Error(`${file} ends before byte ${span.off + span.len}`)
        done += n
      }
      return out
    },
    clear() {
      if (fd !== undefined && end > 0) ftruncateSync(fd, 0)
      end = 0
    },
    size: () => end,
    close() {
      // Only a file this spill made: a reader beside the writer must not remove the writer's.
      if (fd === undefined) return
      closeSync(fd)
      fd = undefined
      end = 0
      rmSync(file, { force: true })
    },
  }
}
