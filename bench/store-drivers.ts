/** The Store drivers the store benchmark compares, by name (the single-file lowdb store is "old"; "postgres" takes a database URL as its path). */
import type { Store } from '../src/model/types.js'
import { createPartitionedStore } from '../src/store/lowdb/partitioned-store.js'
import { createLowdbStore } from '../src/store/lowdb.js'
import { createPostgresStore } from '../src/store/postgres/postgres-store.js'

/** Opens (or creates) a driver's store at `path` (the `storage.path` a user would set; for postgres, `storage.url`). */
export const DRIVERS: Record<string, (path: string) => Promise<Store>> = {
  old: (path) => createLowdbStore({ path }),
  new: (path) => createPartitionedStore({ path }),
  postgres: (url) => createPostgresStore({ url }),
}
