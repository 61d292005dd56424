/** A writer for the kill -9 test: stores items over several days in a loop, printing `durable N` after every flush. */
import { createPartitionedStore } from '../../../src/store/lowdb/partitioned-store.js'
import { makeItem } from '../../helpers/items.js'

const [path = '', round = '0'] = process.argv.slice(2)
const store = await createPartitionedStore({ path })
let n = 0
for (;;) {
  const items = Array.from({ length: 20 }, (_, k) =>
    makeItem({
      title: `round ${round} item ${n + k} ${'body '.repeat(40)}`,
      publishedAt: new Date(Date.UTC(2024, 4, 1 + ((n + k) % 5), 10)).toISOString(),
    }),
  )
  await store.saveIngest({
    sourceId: 'dawn',
    items,
    state: {
      sourceId: 'dawn',
      failures: 0,
      nextPollAt: new Date(Date.UTC(2024, 4, 1)).toISOString(),
    },
  })
  await store.flush()
  n += items.length
  // Everything in the store now is durable: a count, not the items sent, as a killed flush may
  // have written some days of a batch the next round does not send again.
  process.stdout.write(`durable ${await store.countItems()}\n`)
}
