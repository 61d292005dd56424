/** createBodySpill: a scratch file where the partitioned store puts the JSON of bodies it has not written yet, so that they do not stay in memory. */
import {
  closeSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
  writevSync,
} from 'node:fs'

/**
 * Bodies of one key put one after the other, written to the file together: `off` is where once
 * written (−1 while its bytes are in `bytes` alone, −2 once the spill forgot it).
 */
export interface SpillSegment {
  off: number
  used: number
  bytes: Buffer | undefined
}

/** Where one body lies: `len` bytes from `at` in its segment. */
export interface SpillSpan {
  seg: SpillSegment
  at: number
  len: number
}

/** Spans read in a given order (see {@link BodySpill.reader}). */
export interface SpillReader {
  /** The bytes of the next span: a view valid until the next `read`. */
  read(span: SpillSpan): Buffer
}

export interface BodySpill {
  /**
   * Appends `json` (its `length` bytes from `from`, by default all of it; synchronously: the
   * store files an item in one step); returns where it lies.
   * Bodies of one `key` are gathered in segments of their own: the bodies a flush reads together
   * (a day's items of one hour) lie together in the file, and it reads them a segment at a time.
   */
  put(json: Buffer, key?: string, from?: number, length?: number): SpillSpan
  /** The bytes of a span `put` returned since the last {@link BodySpill.clear}, in a buffer of their own. */
  read(span: SpillSpan): Buffer
  /**
   * A reader of `spans` (each returned since the last clear), to be read in this order: a segment
   * that more than one of them lies in is read whole, once, and kept while it has spans to come
   * and `budgetBytes` allows (past it, a span is read alone).
   */
  reader(spans: readonly SpillSpan[], budgetBytes?: number): SpillReader
  /** Forgets every span (the file is emptied): call it only once no span is in use. */
  clear(): void
  /** Bytes of the bodies put since the last clear. */
  size(): number
  /** Closes and removes the file (when it made one). */
  close(): void
}

/**
 * Bytes of bodies held before they are written to the spill file in one write: a first import
 * spills tens of thousands of bodies of a kilobyte or two, and one write each was a system call
 * per item on the main thread.
 */
const SPILL_BUFFER_BYTES = 256 * 1024

/** Bytes of one key's segment (at most: a key whose segment is full starts another). */
const SEGMENT_BYTES = 64 * 1024

/**
 * Bytes of the segments being filled, one per key: past them, the one filled least recently is
 * written as it is. A first import fills one per hour of its few days.
 */
const OPEN_BYTES = 4 * 1_048_576

/** Bytes of segments a {@link BodySpill.reader} holds by default. */
const READER_BYTES = 4 * 1_048_576

/** Buffers in one writev (under every system's IOV_MAX). */
const MAX_IOV = 512

/**
 * A spill file at `file`, created on the first write. It needs no sync and survives no crash: the
 * store's journal is what makes a save durable, and a leftover `.tmp` file is removed at open.
 * Each key's bodies are gathered in a segment of up to 64 KB (or `bufferBytes` when smaller);
 * full segments (and, past `openBytes` of segments being filled, the least recently filled one) wait
 * until `bufferBytes` of them are written at once (a body larger than a segment is written with
 * them at once); `read` takes a body from its segment while it is in memory. A write that fails
 * (no room) throws from the `put` that needed it, and every span returned before stays readable:
 * the segments keep their bodies until a write succeeds.
 * @example const spill = createBodySpill('data/db/.bodies.tmp'); const at = spill.put(bytes, '2026-03-10T14')
 */
export const createBodySpill = (
  file: string,
  bufferBytes: number = SPILL_BUFFER_BYTES,
  openBytes: number = OPEN_BYTES,
): BodySpill => {
  const segmentBytes = Math.max(1, Math.min(SEGMENT_BYTES, bufferBytes))
  const maxOpen = Math.max(1, Math.floor(openBytes / segmentBytes))
  /** Segment buffers kept for the next segments (what a write of sealed segments frees). */
  const maxSpare = Math.max(1, Math.floor(bufferBytes / segmentBytes))
  let fd: number | undefined
  /** Bytes in the file. */
  let written = 0
  /** Bytes put since the last clear. */
  let size = 0
  /** The segment being filled of each key, least recently filled first. */
  const open = new Map<string, SpillSegment>()
  /** Segments that wait to be written, and the bytes of bodies they hold. */
  let sealed: SpillSegment[] = []
  let sealedBytes = 0
  /** Segment buffers free for another segment (a few: what a write frees, the next segments take). */
  let spare: Buffer[] = []
  const release = (b: Buffer | undefined): void => {
    if (b !== undefined && b.length === segmentBytes && spare.length <= maxSpare) spare.push(b)
  }

  /**
   * Writes the sealed segments, then `alone`'s bytes `own` (a body larger than a segment), one
   * after the other at the file's end, and only then says where they lie (a failed write leaves
   * every one in memory, and the file's end where it was).
   */
  const write = (alone?: SpillSegment, own?: Buffer): void => {
    const segs = alone ? [...sealed, alone] : sealed
    if (segs.length === 0) return
    const bufs = segs.map((s) => (s === alone ? (own as Buffer) : (s.bytes as Buffer)))
    const lens = segs.map((s) => s.used)
    let total = 0
    for (const n of lens) total += n
    fd ??= openSync(file, 'w+')
    let done = 0
    let first = 0
    let skip = 0
    while (done < total) {
      const iov: Buffer[] = []
      for (let k = first; k < bufs.length && iov.length < MAX_IOV; k++) {
        iov.push(bufs[k]!.subarray(k === first ? skip : 0, lens[k]!))
      }
      let n =
        iov.length === 1
          ? writeSync(fd, iov[0]!, 0, iov[0]!.length, written + done)
          : writevSync(fd, iov, written + done)
      done += n
      // Past what was written: whole buffers, then part of one.
      while (first < bufs.length && n >= lens[first]! - skip) {
        n -= lens[first]! - skip
        first++
        skip = 0
      }
      skip += n
    }
    let at = written
    for (const s of segs) {
      s.off = at
      at += s.used
      if (s !== alone) release(s.bytes)
      s.bytes = undefined
    }
    written = at
    sealed = []
    sealedBytes = 0
  }
  const seal = (seg: SpillSegment): void => {
    if (seg.used > 0) {
      // A segment written early, little filled (keys put to in turn, more than are filled at
      // once): its bodies alone wait, so that many such cost one write, not one each.
      if (seg.used <= segmentBytes / 4 && seg.bytes !== undefined) {
        const full = seg.bytes
        seg.bytes = Buffer.from(full.subarray(0, seg.used))
        release(full)
      }
      sealed.push(seg)
      sealedBytes += seg.used
    } else {
      release(seg.bytes)
      seg.bytes = undefined
      seg.off = -2
    }
  }
  /** Reads `len` bytes of the file at `pos` into `out` from its start. */
  const readAt = (out: Buffer, pos: number, len: number): void => {
    let done = 0
    while (done < len) {
      const n = fd === undefined ? 0 : readSync(fd, out, done, len - done, pos + done)
      if (n === 0) throw new Error(`${file} ends before byte ${pos + len}`)
      done += n
    }
  }
  /** Copies `span`'s bytes into `out` (its length): from its segment's buffer, or the file. */
  const readInto = (span: SpillSpan, out: Buffer): Buffer => {
    const { seg, at, len } = span
    if (seg.off === -1 && seg.bytes !== undefined) seg.bytes.copy(out, 0, at, at + len)
    else if (seg.off >= 0) readAt(out, seg.off + at, len)
    else throw new Error(`${file} was emptied since this body was put`)
    return out
  }
  /** Forgets every segment (their spans then fail to read). */
  const forget = (): void => {
    for (const s of [...open.values(), ...sealed]) {
      release(s.bytes)
      s.bytes = undefined
      s.off = -2
    }
    open.clear()
    sealed = []
    sealedBytes = 0
    written = 0
    size = 0
  }

  return {
    put(json, key = '', from = 0, length = json.length - from) {
      const len = length
      if (len > segmentBytes) {
        const alone: SpillSegment = { off: -1, used: len, bytes: undefined }
        write(alone, from === 0 ? json : json.subarray(from, from + len))
        size += len
        return { seg: alone, at: 0, len }
      }
      let seg = open.get(key)
      if (seg !== undefined && seg.used + len > segmentBytes) {
        open.delete(key)
        seal(seg)
        seg = undefined
      }
      if (seg === undefined) {
        if (open.size >= maxOpen) {
          const [oldest, least] = open.entries().next().value as [string, SpillSegment]
          open.delete(oldest)
          seal(least)
        }
        if (sealedBytes + segmentBytes > bufferBytes || sealed.length >= MAX_IOV) write()
        seg = { off: -1, used: 0, bytes: spare.pop() ?? Buffer.allocUnsafeSlow(segmentBytes) }
        open.set(key, seg)
      } else if (open.size > 1) {
        // Filled most recently: the last to be written early.
        open.delete(key)
        open.set(key, seg)
      }
      const at = seg.used
      json.copy(seg.bytes as Buffer, at, from, from + len)
      seg.used += len
      size += len
      return { seg, at, len }
    },
    read: (span) => readInto(span, Buffer.allocUnsafe(span.len)),
    reader(spans, budgetBytes = READER_BYTES) {
      /** Spans to come of each segment in the file. */
      const need = new Map<SpillSegment, number>()
      for (const { seg } of spans) if (seg.off >= 0) need.set(seg, (need.get(seg) ?? 0) + 1)
      const held = new Map<SpillSegment, Buffer>()
      let heldBytes = 0
      /** Buffers of segments done with, free once the view last returned from them is no longer. */
      const free: Buffer[] = []
      let done: Buffer | undefined
      let scratch = Buffer.allocUnsafeSlow(0)
      const alone = (span: SpillSpan): Buffer => {
        if (scratch.length < span.len) {
          scratch = Buffer.allocUnsafeSlow(Math.max(span.len, 2 * scratch.length, 4096))
        }
        return readInto(span, scratch.subarray(0, span.len))
      }
      return {
        read(span) {
          if (done !== undefined) free.push(done)
          done = undefined
          const { seg, at, len } = span
          const left = (need.get(seg) ?? 0) - 1
          if (left < 0) return alone(span) // in memory (or not listed)
          need.set(seg, left)
          let bytes = held.get(seg)
          if (bytes === undefined) {
            if (left === 0 || seg.used > segmentBytes || heldBytes + segmentBytes > budgetBytes) {
              return alone(span)
            }
            bytes = free.pop() ?? Buffer.allocUnsafeSlow(segmentBytes)
            readAt(bytes, seg.off, seg.used)
            held.set(seg, bytes)
            heldBytes += segmentBytes
          }
          if (left === 0) {
            held.delete(seg)
            heldBytes -= segmentBytes
            done = bytes
          }
          return bytes.subarray(at, at + len)
        },
      }
    },
    clear() {
      if (fd !== undefined && written > 0) ftruncateSync(fd, 0)
      forget()
    },
    size: () => size,
    close() {
      forget()
      spare = []
      // Only a file this spill made: a reader beside the writer must not remove the writer's.
      if (fd === undefined) return
      closeSync(fd)
      fd = undefined
      rmSync(file, { force: true })
    },
  }
}
