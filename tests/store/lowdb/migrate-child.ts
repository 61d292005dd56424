/** A process for the migration kill test: opens the store at the given path (migrating its db.json), then says `done`. */
import { createPartitionedStore } from '../../../src/store/lowdb/partitioned-store.js'

const [path = ''] = process.argv.slice(2)
const store = await createPartitionedStore({ path })
await store.close()
process.stdout.write('done\n')
