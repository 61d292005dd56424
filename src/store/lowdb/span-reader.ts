/** SpanReader: byte spans of a file read through one reused window, as a flush copies a partition's stored items into its new version. */
import { type FileHandle, open } from 'node:fs/promises'

/** Spans of one file, read in order (each view is valid until the next read). */
export interface SpanReader {
  /**
   * The bytes `[off, off + len)` of the file: a view of the reader's window (or, for a span
   * larger than it, a buffer of its own), valid until the next `read` or `close`.
   * @throws Error when the file ends before the span does
   */
  read(off: number, len: number): Promise<Buffer>
  close(): Promise<void>
}

/** Bytes read at once: a flush reads a partition's items in the order it wrote them, so mostly forward. */
const WINDOW_BYTES = 256 * 1024

/**
 * A reader of `file`, opened at its first read. A flush used to read every partition it rewrote
 * whole, a buffer as large as the partition, dead once written and kept until the next full
 * collection: a cold import rewriting days of tens of MB held several of them. A window holds
 * `windowBytes` whatever the partition's size.
 * @example
 * const r = createSpanReader('data/db/items/2026-11-01.json')
 * const part = await r.read(off, len) // copy it before the next read
 * await r.close()
 */
export const createSpanReader = (file: string, windowBytes = WINDOW_BYTES): SpanReader => {
  let fh: Promise<FileHandle> | undefined
  let window: Buffer | undefined
  /** The file offset of `window[0]` and how many bytes of it are the file's. */
  let start = 0
  let filled = 0
  /** Reads `len` bytes at `pos` into `into` from its start; how many the file had. */
  const fill = async (into: Buffer, pos: number, len: number): Promise<number> => {
    fh ??= open(file, 'r')
    const handle = await fh
    let got = 0
    while (got < len) {
      const { bytesRead } = await handle.read(into, got, len - got, pos + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return got
  }
  const short = (off: number, len: number) =>
    new Error(`${file} ends before the item at bytes ${off}–${off + len} that its index lists`)
  return {
    async read(off, len) {
      if (off >= start && off + len <= start + filled) {
        return (window as Buffer).subarray(off - start, off - start + len)
      }
      if (len > windowBytes) {
        const own = Buffer.allocUnsafeSlow(len)
        if ((await fill(own, off, len)) < len) throw short(off, len)
        return own
      }
      window ??= Buffer.allocUnsafeSlow(windowBytes)
      start = off
      filled = 0
      filled = await fill(window, off, windowBytes)
      if (filled < len) throw short(off, len)
      return window.subarray(0, len)
    },
    async close() {
      const handle = fh
      fh = undefined
      // A file that would not open has nothing to close (its read already failed).
      await (await handle?.catch(() => undefined))?.close()
    },
  }
}
