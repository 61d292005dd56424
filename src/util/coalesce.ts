/** coalesce: one run of an async job at a time; the keys asked for while it runs are gathered into the next run. */

/**
 * Wraps `run` so that calls never overlap: a call while a run is in flight joins the next run
 * (with every other key asked for meanwhile), and each caller gets the result of the first run
 * that started after its call. A burst of N calls costs two runs, not N.
 * @example const learn = coalesce((topics) => retrain(topics)); await learn('a')
 */
export const coalesce = <K, R>(
  run: (keys: ReadonlySet<K>) => Promise<R>,
): ((key: K) => Promise<R>) => {
  interface Batch {
    keys: Set<K>
    waiters: { resolve: (r: R) => void; reject: (e: unknown) => void }[]
  }
  let running = false
  let next: Batch | undefined
  const drain = async () => {
    running = true
    while (next) {
      const batch = next
      next = undefined
      try {
        const r = await run(batch.keys)
        for (const w of batch.waiters) w.resolve(r)
      } catch (e) {
        for (const w of batch.waiters) w.reject(e)
      }
    }
    running = false
  }
  return (key) =>
    new Promise<R>((resolve, reject) => {
      next ??= { keys: new Set(), waiters: [] }
      next.keys.add(key)
      next.waiters.push({ resolve, reject })
      if (!running) void drain()
    })
}
