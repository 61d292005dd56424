import { describe, expect, it } from 'vitest'
import { coalesce } from '../../src/util/coalesce.js'

/** A run that waits until released, recording the keys of each run. */
const gated = () => {
  const runs: string[][] = []
  const gates: (() => void)[] = []
  const run = coalesce(async (keys: ReadonlySet<string>) => {
    runs.push([...keys].sort())
    await new Promise<void>((resolve) => gates.push(resolve))
    return runs.length
  })
  const release = async () => {
    // let the run reach its gate first
    while (gates.length === 0) await new Promise((r) => setImmediate(r))
    gates.shift()?.()
  }
  return { run, runs, release }
}

describe('coalesce', () => {
  it('never overlaps runs; calls during a run are gathered into one next run', async () => {
    const { run, runs, release } = gated()
    const first = run('a')
    const during = [run('b'), run('c'), run('b')]
    expect(runs).toEqual([['a']])
    await release()
    expect(await first).toBe(1)
    await release()
    expect(await Promise.all(during)).toEqual([2, 2, 2])
    expect(runs).toEqual([['a'], ['b', 'c']])
  })

  it('a call after the runs finished starts a new run', async () => {
    const { run, runs, release } = gated()
    const first = run('a')
    await release()
    await first
    const second = run('a')
    await release()
    expect(await second).toBe(2)
    expect(runs).toEqual([['a'], ['a']])
  })

  it("a run's failure goes to its callers only; the next run still happens", async () => {
    let n = 0
    const run = coalesce(async (keys: ReadonlySet<string>) => {
      n++
      if (keys.has('bad')) throw new Error('bad key')
      return n
    })
    const bad = run('bad')
    const good = run('good')
    await expect(bad).rejects.toThrow('bad key')
    await expect(good).resolves.toBe(2)
  })
})
