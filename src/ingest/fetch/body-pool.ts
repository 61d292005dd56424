/** BodyPool: response bodies read into buffers that are reused once their analysis is done, not left to the garbage collector. */

/**
 * Reusable buffers for response bodies. A body lives from its fetch to the end of its analysis,
 * long enough for V8 to move its Buffer to the old generation; dead, it then waits for the next
 * full collection, which a poll that keeps adding stored items runs rarely: a cold poll of 1,000
 * feeds held about as many dead bodies as live data in array buffers. Given back, a body's bytes
 * hold the next one instead.
 */
export interface BodyPool {
  /**
   * A buffer of at least `size` bytes, to fill from its start: its length is its size class
   * (a power of two) and it may hold an earlier body's bytes past what the caller writes.
   */
  take(size: number): Buffer
  /**
   * Hands back a buffer from `take` (or a view of one): nothing may read it afterwards. Anything
   * else — a buffer of Node's shared pool, one given twice — is ignored.
   */
  give(buf: Uint8Array): void
  /** Bytes held for reuse. */
  heldBytes(): number
}

/** Smallest size class: smaller bodies are rare (most feeds are tens of KB) and cheap. */
const MIN_CLASS = 16 * 1024
/** Largest size class: a larger body gets a buffer of its own, which is not kept. */
const MAX_CLASS = 4 * 1_048_576
/** Bytes kept for reuse by default: a cycle's bodies in flight (`fetch.concurrency`) of ~1 MB. */
const DEFAULT_HELD_BYTES = 8 * 1_048_576

/** The size class of `size`: the next power of two, at least MIN_CLASS. */
const classOf = (size: number): number => {
  let c = MIN_CLASS
  while (c < size) c *= 2
  return c
}

/**
 * A pool keeping at most `maxHeldBytes` of free buffers (default 8 MB).
 * @example
 * const pool = createBodyPool()
 * const buf = pool.take(80_000) // 128 KB
 * pool.give(buf.subarray(0, 80_000))
 */
export const createBodyPool = (opts: { maxHeldBytes?: number } = {}): BodyPool => {
  const maxHeld = opts.maxHeldBytes ?? DEFAULT_HELD_BYTES
  /** Free buffers by size class. */
  const free = new Map<number, Buffer[]>()
  /** Every buffer this pool made (so that a foreign one is never reused), and the free ones. */
  const ours = new WeakSet<ArrayBufferLike>()
  const idle = new WeakSet<ArrayBufferLike>()
  let held = 0
  return {
    take(size) {
      if (size > MAX_CLASS) return Buffer.allocUnsafeSlow(size)
      const c = classOf(size)
      const buf = free.get(c)?.pop()
      if (buf) {
        held -= c
        idle.delete(buf.buffer)
        return buf
      }
      // Its own ArrayBuffer, never a slice of Node's shared pool: it is reused whole.
      const made = Buffer.allocUnsafeSlow(c)
      ours.add(made.buffer)
      return made
    },
    give(view) {
      const ab = view.buffer
      if (!ours.has(ab) || idle.has(ab)) return
      const c = ab.byteLength
      // A buffer transferred away since (detached, of length 0) holds nothing to reuse.
      if (c < MIN_CLASS || held + c > maxHeld) return
      const list = free.get(c) ?? []
      free.set(c, list)
      list.push(Buffer.from(ab, 0, c))
      idle.add(ab)
      held += c
    },
    heldBytes: () => held,
  }
}
