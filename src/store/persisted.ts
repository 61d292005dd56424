/** What every driver that persists the memory store shares: its methods, and flushes run one at a time that remember a failed write. */
import type { Store } from '../model/types.js'
import type { MemoryStore } from './memory.js'

/** A store's write health, as /readyz and /metrics read it. */
export interface WriteFailures {
  count: number
  failing?: string
}

/**
 * The Store methods a persisting driver takes from its memory store as they are (all but
 * `flush`, `close` and `writeFailures`, which are the driver's own).
 */
export const memoryMethods = (
  mem: MemoryStore,
): Omit<Store, 'flush' | 'close' | 'writeFailures'> => ({
  claimDue: mem.claimDue,
  getState: mem.getState,
  listStates: mem.listStates,
  recentItems: mem.recentItems,
  saveIngest: mem.saveIngest,
  saveState: mem.saveState,
  queryItems: mem.queryItems,
  getItem: mem.getItem,
  clusterMembers: mem.clusterMembers,
  countItems: mem.countItems,
  retag: mem.retag,
  taggedWith: mem.taggedWith,
  setTaggedWith: mem.setTaggedWith,
  prune: mem.prune,
  saveVerdicts: mem.saveVerdicts,
  listVerdicts: mem.listVerdicts,
  saveTopicModel: mem.saveTopicModel,
  topicModels: mem.topicModels,
  version: mem.version,
})

/**
 * Runs `write` for each flush, one after another (two writes never race on a temp file), and
 * counts the writes that threw: `failing` holds the last one's message until a flush succeeds.
 * @example const { flush, writeFailures } = createFlusher(writeChanged)
 */
export const createFlusher = (
  write: () => Promise<void>,
): { flush(): Promise<void>; writeFailures(): WriteFailures } => {
  const failures: WriteFailures = { count: 0 }
  let chain: Promise<void> = Promise.resolve()
  const guarded = async (): Promise<void> => {
    try {
      await write()
    } catch (err) {
      failures.count++
      failures.failing = err instanceof Error ? err.message : String(err)
      throw err
    }
    failures.failing = undefined
  }
  return {
    flush: () => {
      const run = chain.then(guarded)
      chain = run.catch(() => undefined)
      return run
    },
    writeFailures: () => ({ ...failures }),
  }
}
