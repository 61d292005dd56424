/** createDayWriter: a thread that writes day partitions' temp files from spans of the spill file and of partitions, so that a large flush does not read and write them on the main thread. */
import { Worker } from 'node:worker_threads'

/**
 * A partition to write: `head`, the parts separated by `comma`, then `tail`, into `temp`. Part k
 * is `parts[3k..3k+2]`: the bytes `[offset, offset + length)` of `files[index]`, or for index −1
 * the bytes `inline[offset]` (one flat array: tens of thousands of parts cross threads as one copy).
 */
export interface DayWriterRequest {
  id: number
  temp: string
  files: string[]
  inline: Uint8Array[]
  head: Uint8Array
  comma: Uint8Array
  tail: Uint8Array
  parts: Float64Array
}

/** What the thread answers: the written file's size, mtime and SHA-256 (base64url), or why not. */
export type DayWriterReply =
  | { id: number; ok: true; stamp: { size: number; mtimeMs: number; hash: string } }
  | { id: number; ok: false; message: string }

export interface DayWriter {
  /** Writes and syncs the temp file of one partition; the files it reads must not change meanwhile. */
  write(job: Omit<DayWriterRequest, 'id'>): Promise<{ size: number; mtimeMs: number; hash: string }>
  /** Stops the thread (writes in flight fail). */
  close(): Promise<void>
}

const entryUrl = new URL(
  import.meta.url.endsWith('.ts') ? './day-writer-thread.ts' : './day-writer-thread.js',
  import.meta.url,
)
const bootUrl = new URL('../../util/worker-boot.mjs', import.meta.url)

/**
 * Starts the writer's thread. Jobs are written one after the other, in the order given, while
 * the caller's thread goes on (with the partitions' indexes, for one).
 * @example const w = createDayWriter(); const stamp = await w.write({ temp, files, head, comma, tail, parts })
 */
export const createDayWriter = (): DayWriter => {
  const worker = new Worker(bootUrl, { workerData: { entry: entryUrl.href } })
  const waiting = new Map<
    number,
    {
      resolve: (s: { size: number; mtimeMs: number; hash: string }) => void
      reject: (e: Error) => void
    }
  >()
  let nextId = 0
  const failAll = (err: Error) => {
    const all = [...waiting.values()]
    waiting.clear()
    for (const w of all) w.reject(err)
  }
  worker.on('message', (reply: DayWriterReply | { ready: true }) => {
    if ('ready' in reply) return
    const w = waiting.get(reply.id)
    if (!w) return
    waiting.delete(reply.id)
    if (waiting.size === 0) worker.unref()
    if (reply.ok) w.resolve(reply.stamp)
    else w.reject(new Error(reply.message))
  })
  worker.on('error', failAll)
  worker.on('exit', (code) => failAll(new Error(`the day writer stopped (exit code ${code})`)))
  worker.unref()
  return {
    write(job) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        if (waiting.size === 0) worker.ref()
        waiting.set(id, { resolve, reject })
        worker.postMessage({ ...job, id })
      })
    },
    async close() {
      await worker.terminate()
    },
  }
}
