/** The Store drivers the store benchmark compares, by name (the single-file lowdb store is "old"). */
import type { Store } from '../src/model/types.js'
import { createPartitionedStore } from '../src/store/lowdb/partitioned-store.js'
import { createLowdbStore } from '../src/store/lowdb.js'

/** Opens (or creates) a driver's store at `path` (the `storage.path` a user would set). */
export const DRIVERS: Record<string, (path: string) => Promise<Store>> = {
  old: (path) => createLowdbStore({ path }),
  new: (path) => createPartitionedStore({ path }),
}
