/** The store benchmark's replica measures on PostgreSQL: one poll's write, claims split by three replicas, change-notice latency. */
import type { Item, Store } from '../src/model/types.js'
import { createPostgresStore } from '../src/store/postgres/postgres-store.js'
import { makeItems, NOW, stateAt } from './store-world.js'

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

export interface ReplicaMeasures {
  /** saveIngest of 50 items of one source, 45 of them unchanged: p50 / p99 ms. */
  pollWrite: { p50: number; p99: number }
  /** Three stores claiming 1,000 due sources at once (claim 50, save, again): ms and double claims. */
  claims: { ms: number; doubles: number; byReplica: number[] }
  /** A write in one store until another store's version() moves: p50 / p99 ms. */
  notify: { p50: number; p99: number }
}

/** One poll's write on `store`: 50 items of one source, 45 already stored unchanged. */
export const pollWrites = async (
  store: Store,
  runs = 40,
): Promise<{ p50: number; p99: number }> => {
  const source = 'bench-poll'
  const base: Item[] = makeItems(45, 7).map((i) => ({ ...i, sourceId: source, clusterId: i.id }))
  await store.saveIngest({ sourceId: source, items: base, state: stateAt(source, NOW) })
  const fresh = makeItems(5 * runs, 8).map((i) => ({ ...i, sourceId: source, clusterId: i.id }))
  const ms: number[] = []
  for (let r = 0; r < runs; r++) {
    const items = [...base, ...fresh.slice(r * 5, r * 5 + 5)]
    const t = performance.now()
    await store.saveIngest({ sourceId: source, items, state: stateAt(source, NOW + r * 60_000) })
    ms.push(performance.now() - t)
  }
  return { p50: pct(ms, 50), p99: pct(ms, 99) }
}

/** The replica measures on the (empty or not) database at `url`. */
export const measureReplicas = async (url: string): Promise<ReplicaMeasures> => {
  const stores = await Promise.all([0, 1, 2].map(() => createPostgresStore({ url })))
  try {
    const a = stores[0]!
    const b = stores[1]!
    const pollWrite = await pollWrites(a)
    const ids = Array.from({ length: 1000 }, (_, i) => `claim-${i}`)
    const now = new Date(NOW)
    const seen = new Map<string, number>()
    const t0 = performance.now()
    const byReplica = await Promise.all(
      stores.map(async (s) => {
        let mine = 0
        for (;;) {
          const got = await s.claimDue(now, ids, 50)
          if (got.length === 0) return mine
          mine += got.length
          for (const st of got) seen.set(st.sourceId, (seen.get(st.sourceId) ?? 0) + 1)
          for (const st of got)
            await s.saveState({ ...st, nextPollAt: new Date(NOW + 3_600_000).toISOString() })
        }
      }),
    )
    const claimsMs = performance.now() - t0
    const doubles = [...seen.values()].filter((n) => n > 1).length + (1000 - seen.size)
    const lat: number[] = []
    const items = makeItems(60, 9).map((i) => ({ ...i, sourceId: 'bench-notify', clusterId: i.id }))
    for (const item of items) {
      const v = b.version()
      await a.saveIngest({
        sourceId: 'bench-notify',
        items: [item],
        state: stateAt('bench-notify', NOW),
      })
      const t = performance.now()
      while (b.version() === v) await new Promise((ok) => setImmediate(ok))
      lat.push(performance.now() - t)
    }
    return {
      pollWrite,
      claims: { ms: claimsMs, doubles, byReplica },
      notify: { p50: pct(lat, 50), p99: pct(lat, 99) },
    }
  } finally {
    await Promise.all(stores.map((s) => s.close()))
  }
}
