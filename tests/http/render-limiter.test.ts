import { describe, expect, it } from 'vitest'
import { createRenderLimiter } from '../../src/http/render-limiter.js'
import { OverloadedError } from '../../src/model/errors.js'

const deferred = () => {
  let resolve: () => void = () => {}
  let reject: (e: unknown) => void = () => {}
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('createRenderLimiter', () => {
  it('runs at most `concurrency` tasks at once, the rest in arrival order', async () => {
    const limiter = createRenderLimiter({ concurrency: 2, maxQueued: 10, perClient: 10 })
    const gates = Array.from({ length: 5 }, deferred)
    const started: number[] = []
    const runs = gates.map((g, i) =>
      limiter.run(`c${i}`, async () => {
        started.push(i)
        await g.promise
        return i
      }),
    )
    await Promise.resolve()
    expect(started).toEqual([0, 1])
    expect(limiter.stats()).toEqual({ running: 2, queued: 3, refused: 0 })
    gates[1]?.resolve()
    await runs[1]
    await new Promise((r) => setImmediate(r))
    expect(started).toEqual([0, 1, 2])
    // A failing task frees its slot too.
    gates[0]?.reject(new Error('boom'))
    await expect(runs[0]).rejects.toThrow('boom')
    await new Promise((r) => setImmediate(r))
    expect(started).toEqual([0, 1, 2, 3])
    for (const g of gates) g.resolve()
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3, 4])
    expect(limiter.stats()).toEqual({ running: 0, queued: 0, refused: 0 })
  })

  it('refuses a client past its share, and anyone when the queue is full, with Retry-After', async () => {
    const limiter = createRenderLimiter({
      concurrency: 1,
      maxQueued: 2,
      perClient: 2,
      retryAfterSeconds: 3,
    })
    const gate = deferred()
    const task = () => gate.promise
    const a1 = limiter.run('a', task)
    const a2 = limiter.run('a', task)
    const a3 = limiter.run('a', task)
    await expect(a3).rejects.toBeInstanceOf(OverloadedError)
    await expect(a3).rejects.toMatchObject({ retryAfterSeconds: 3, code: 'overloaded' })
    const b1 = limiter.run('b', task)
    // a2 and b1 wait: the queue (2) is full, so c is refused though it holds nothing.
    await expect(limiter.run('c', task)).rejects.toThrow(/busy/)
    expect(limiter.stats()).toEqual({ running: 1, queued: 2, refused: 2 })
    gate.resolve()
    await Promise.all([a1, a2, b1])
    // Once done, the client has its share again.
    await expect(limiter.run('a', async () => 'ok')).resolves.toBe('ok')
  })
})
