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
  /**
   * The bytes of a span `put` returned since the last {@link BodySpill.clear}; with `scratch`, a
   * view of its buffer (made larger when the span needs it), valid until the next read into it.
   */
  read(span: SpillSpan, scratch?: { buffer: Buffer }): Buffer
  /** Forgets every span (the file is emptied): call it only once no span is in use. */
  clear(): void
  /** Bytes in the file now. */
  size(): number
  /** Closes and removes the file (when it made one). */
  close(): void
}

/**
 * Bytes of bodies gathered before they are written to the spill file in one write: a first import
 * spills tens of thousands of bodies of a kilobyte or two, and one write each was a system call
 * per item on the main thread.
 */
const SPILL_BUFFER_BYTES = 256 * 1024

/**
 * A spill file at `file`, created on the first write. It needs no sync and survives no crash: the
 * store's journal is what makes a save durable, and a leftover `.tmp` file is removed at open.
 * Bodies `put` are gathered in a buffer of `bufferBytes` and written when it is full (a body
 * larger than it is written at once); `read` takes a body from the buffer while it is there. A
 * write that fails (no room) throws from the `put` that needed it, and every span returned before
 * stays readable: the buffer keeps its bodies until a write succeeds.
 * @example const spill = createBodySpill('data/db/.bodies.tmp'); const at = spill.put(bytes)
 */
export const createBodySpill = (
  file: string,
  bufferBytes: number = SPILL_BUFFER_BYTES,
): BodySpill => {
  let fd: number | undefined
  /** Bytes in the file; the buffer's bodies follow them, up to `end`. */
  let written = 0
  let end = 0
  let buffer: Buffer | undefined
  let buffered = 0
  /** Writes `bytes` at `written` (advancing it only once the whole of it is in the file). */
  const write = (bytes: Buffer, length: number): void => {
    fd ??= openSync(file, 'w+')
    let done = 0
    while (done < length) done += writeSync(fd, bytes, done, length - done, written + done)
    written += length
  }
  const drain = (): void => {
    if (buffered === 0 || buffer === undefined) return
    write(buffer, buffered)
    buffered = 0
  }
  return {
    put(json) {
      if (buffered + json.length > bufferBytes) drain()
      const span = { off: end, len: json.length }
      if (json.length > bufferBytes) write(json, json.length)
      else {
        buffer ??= Buffer.allocUnsafeSlow(bufferBytes)
        json.copy(buffer, buffered)
        buffered += json.length
      }
      end += json.length
      return span
    },
    read(span, scratch) {
      if (scratch && scratch.buffer.length < span.len)
        scratch.buffer = Buffer.allocUnsafeSlow(Math.max(span.len, 2 * scratch.buffer.length, 4096))
      const out = scratch ? scratch.buffer.subarray(0, span.len) : Buffer.allocUnsafe(span.len)
      if (span.off >= written) {
        // Still in the buffer (a span is never split between the buffer and the file).
        const from = span.off - written
        if (buffer === undefined || from + span.len > buffered) {
          throw new Error(`${file} ends before byte ${span.off + span.len}`)
        }
        buffer.copy(out, 0, from, from + span.len)
        return out
      }
      let done = 0
      while (done < span.len) {
        const n = fd === undefined ? 0 : readSync(fd, out, done, span.len - done, span.off + done)
        if (n === 0) throw new Error(`${file} ends before byte ${span.off + span.len}`)
        done += n
      }
      return out
    },
    clear() {
      if (fd !== undefined && written > 0) ftruncateSync(fd, 0)
      written = 0
      buffered = 0
      end = 0
    },
    size: () => end,
    close() {
      buffered = 0
      buffer = undefined
      written = 0
      end = 0
      // Only a file this spill made: a reader beside the writer must not remove the writer's.
      if (fd === undefined) return
      closeSync(fd)
      fd = undefined
      rmSync(file, { force: true })
    },
  }
}
