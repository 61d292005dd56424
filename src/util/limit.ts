/** Concurrency limits: a global limit and one per key (per host), for polite polling. */

/** Runs at most `max` tasks at once; the rest wait in FIFO order. */
export const createLimiter = (max: number) => {
  let active = 0
  const queue: (() => void)[] = []
  const next = () => {
    if (active >= max) return
    const start = queue.shift()
    if (start) {
      active++
      start()
    }
  }
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--
            next()
          })
      })
      next()
    })
}

/**
 * Runs `task` under the global limiter and the limiter of its key (created on demand).
 * @example const run = createKeyedLimiter(8, 2); await run('dawn.com', () => poll(source))
 */
export const createKeyedLimiter = (globalMax: number, perKeyMax: number) => {
  const perKey = new Map<string, ReturnType<typeof createLimiter>>()
  const global = createLimiter(globalMax)
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    let keyed = perKey.get(key)
    if (!keyed) {
      keyed = createLimiter(perKeyMax)
      perKey.set(key, keyed)
    }
    // Take the per-host slot first so one busy host does not hold global slots while waiting.
    return keyed(() => global(task))
  }
}
