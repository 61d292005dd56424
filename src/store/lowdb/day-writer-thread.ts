/** The day writer's thread (day-writer.ts): assembles a partition's temp file from byte spans of other files, hashes and syncs it. */
import { createHash } from 'node:crypto'
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import type { DayWriterReply, DayWriterRequest } from './day-writer.js'

const port = parentPort
if (!port) throw new Error('day-writer-thread.ts runs as a worker thread (see day-writer.ts)')

/** Bytes gathered before one write (as the partitioned store's own writer does). */
const BATCH_BYTES = 1_048_576

/** Reads `len` bytes at `off` of `fd` into `into` at `at`; throws when the file ends first. */
const readFully = (
  fd: number,
  into: Buffer,
  at: number,
  off: number,
  len: number,
  file: string,
) => {
  let done = 0
  while (done < len) {
    const n = readSync(fd, into, at + done, len - done, off + done)
    if (n === 0) throw new Error(`${file} ends before byte ${off + len}`)
    done += n
  }
}

const writeDay = (job: DayWriterRequest): { size: number; mtimeMs: number; hash: string } => {
  const hash = createHash('sha256')
  const fds = new Map<string, number>()
  const fdOf = (file: string): number => {
    let fd = fds.get(file)
    if (fd === undefined) {
      fd = openSync(file, 'r')
      fds.set(file, fd)
    }
    return fd
  }
  const out = openSync(job.temp, 'w')
  try {
    const batch = Buffer.allocUnsafeSlow(BATCH_BYTES)
    let bytes = 0
    let pos = 0
    const drain = () => {
      if (bytes === 0) return
      hash.update(batch.subarray(0, bytes))
      let done = 0
      while (done < bytes) done += writeSync(out, batch, done, bytes - done, pos + done)
      pos += bytes
      bytes = 0
    }
    /** Room for `len` bytes at the batch's end, or false when they need a buffer of their own. */
    const room = (len: number): boolean => {
      if (bytes + len > batch.length) drain()
      return len <= batch.length
    }
    const putBytes = (b: Uint8Array) => {
      if (room(b.length)) {
        batch.set(b, bytes)
        bytes += b.length
        return
      }
      hash.update(b)
      let done = 0
      while (done < b.length) done += writeSync(out, b, done, b.length - done, pos + done)
      pos += b.length
    }
    putBytes(job.head)
    const { parts } = job
    for (let k = 0; k < parts.length; k += 3) {
      if (k > 0) putBytes(job.comma)
      const index = parts[k]!
      const off = parts[k + 1]!
      const len = parts[k + 2]!
      if (index < 0) {
        putBytes(job.inline[off]!)
        continue
      }
      const file = job.files[index]!
      if (room(len)) {
        readFully(fdOf(file), batch, bytes, off, len, file)
        bytes += len
      } else {
        const own = Buffer.allocUnsafeSlow(len)
        readFully(fdOf(file), own, 0, off, len, file)
        putBytes(own)
      }
    }
    putBytes(job.tail)
    drain()
    fsyncSync(out)
    const st = fstatSync(out)
    return { size: st.size, mtimeMs: st.mtimeMs, hash: hash.digest('base64url') }
  } finally {
    closeSync(out)
    for (const fd of fds.values()) closeSync(fd)
  }
}

port.on('message', (job: DayWriterRequest) => {
  let reply: DayWriterReply
  try {
    reply = { id: job.id, ok: true, stamp: writeDay(job) }
  } catch (err) {
    reply = { id: job.id, ok: false, message: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(reply)
})
