/** Replicas on one PostgreSQL database: claims split by 3 claimants over 1,000 due sources, and NOTIFY → version → fresh feed bytes on another replica. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { createApp } from '../src/http/app.js'
import { createFeedCache } from '../src/http/feed-cache.js'
import type { AppConfig, Item, SourceState, Store } from '../src/model/types.js'
import { createPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js'
import { stableUuid } from '../src/util/hash.js'
import { makeItem } from '../tests/helpers/items.js'
import { startPgCluster } from '../tests/helpers/postgres.js'
import {
  createTestDeps,
  makeSource,
  PAK_AFGHAN_TOPIC,
  testConfig,
} from '../tests/helpers/runtime.js'

const CLAIMANTS = 3
const DUE = 1_000
const CLAIM_ROUNDS = 10
const INVALIDATIONS = 200
const TOPIC = 'bench-topic'

/** The targets of issue 19. */
const TARGET_P99_MS = 50

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}
const f = (ms: number) => `${ms.toFixed(2)} ms`

const OTHER = 'bench-other'

const config: AppConfig = testConfig({
  sources: [makeSource({ id: 'wire', title: 'Wire', url: 'http://127.0.0.1:9/feed' })],
  topics: [
    { ...PAK_AFGHAN_TOPIC, id: TOPIC, title: 'Bench topic', match: 'Torkham' },
    { ...PAK_AFGHAN_TOPIC, id: OTHER, title: 'Other topic', match: 'Doha' },
  ],
})

/**
 * Each round, three stores (three replicas' connections) claim the same 1,000 due sources at
 * once; every source must go to exactly one of them.
 */
const claims = async (stores: PostgresStore[]) => {
  let doubles = 0
  let missing = 0
  const times: number[] = []
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    const ids = Array.from({ length: DUE }, (_, i) => `r${round}-s${i}`)
    const now = new Date()
    const t0 = performance.now()
    const got = await Promise.all(stores.map((s) => s.claimDue(now, ids, Number.MAX_SAFE_INTEGER)))
    times.push(performance.now() - t0)
    const seen = new Map<string, number>()
    for (const states of got)
      for (const st of states) seen.set(st.sourceId, (seen.get(st.sourceId) ?? 0) + 1)
    for (const n of seen.values()) if (n > 1) doubles += n - 1
    missing += DUE - seen.size
  }
  return { doubles, missing, times }
}

/**
 * Replica A stores one new item; replica B (its own store, its own HTTP server and feed cache)
 * has its topic feed and another topic's feed cached. Measured: A's commit → B's `version()`
 * moving (the NOTIFY arriving), and A's commit → B answering the feed with the new item in its
 * bytes; and B's renders per write (the other feed's included when the change drops it).
 *
 * `old`: B's store says nothing of what changed (no `onChange`), so every change drops every
 * document at the next read and nothing is rendered ahead of readers, as before issue 19's
 * notices carried topics.
 */
const invalidation = async (a: PostgresStore, b: PostgresStore, mode: 'old' | 'new') => {
  const store: Store = mode === 'old' ? { ...b, onChange: undefined } : b
  const deps = { ...createTestDeps(config), store }
  const feedCache = createFeedCache()
  const server = createServer(createApp(deps, {}, { feedCache }).node)
  server.listen(0, '127.0.0.1')
  await new Promise((ok) => server.once('listening', ok))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/topics`
  const url = `${base}/${TOPIC}.rss`
  const other = `${base}/${OTHER}.rss`
  const notice: number[] = []
  const fresh: number[] = []
  const state = (at: Date): SourceState => ({
    sourceId: 'wire',
    failures: 0,
    nextPollAt: new Date(at.getTime() + 60_000).toISOString(),
    lastSuccessAt: at.toISOString(),
  })
  try {
    for (let i = 0; i < INVALIDATIONS; i++) {
      // The feeds are cached on B before each write: a stale cache would keep answering them.
      await (await fetch(url)).arrayBuffer()
      await (await fetch(other)).arrayBuffer()
      // Newer than every item of an earlier run: the feed shows the newest first.
      const at = new Date(
        Date.UTC(2026, 0, 1) + ((mode === 'old' ? 0 : INVALIDATIONS) + i) * 60_000,
      )
      const title = `Torkham crossing bench report ${mode} ${i}`
      const item: Item = makeItem({
        id: stableUuid(['wire', `bench-${mode}-${i}`]),
        sourceId: 'wire',
        guid: `bench-${mode}-${i}`,
        title,
        topics: [TOPIC],
        publishedAt: at.toISOString(),
        fetchedAt: at.toISOString(),
      })
      item.clusterId = item.id
      const before = b.version()
      await a.saveIngest({ sourceId: 'wire', items: [item], state: state(at) })
      const committed = performance.now()
      while (b.version() === before) await new Promise((ok) => setImmediate(ok))
      notice.push(performance.now() - committed)
      for (;;) {
        const body = await (await fetch(url)).text()
        if (body.includes(title)) break
      }
      fresh.push(performance.now() - committed)
    }
  } finally {
    await new Promise((ok) => server.close(ok))
  }
  return { notice, fresh, rendersPerWrite: feedCache.stats().renders / INVALIDATIONS }
}

export const run = async (): Promise<void> => {
  const cluster = await startPgCluster()
  const stores: PostgresStore[] = []
  try {
    const url = await cluster.createDatabase('bench_replicas')
    for (let i = 0; i < CLAIMANTS; i++)
      stores.push(await createPostgresStore({ url, leaseMs: 60_000 }))
    const c = await claims(stores)
    console.log(
      `claims: ${CLAIMANTS} claimants × ${DUE.toLocaleString('en')} due sources, ${CLAIM_ROUNDS} rounds: ${c.doubles} double claims, ${c.missing} unclaimed; split time p50 ${f(pct(c.times, 50))}, max ${f(Math.max(...c.times))}`,
    )
    // The other topic's feed shows one item, which no write of the run touches.
    const doha = makeItem({ sourceId: 'wire', title: 'Doha talks bench report', topics: [OTHER] })
    await stores[0]!.saveIngest({
      sourceId: 'wire',
      items: [doha],
      state: {
        sourceId: 'wire',
        failures: 0,
        nextPollAt: new Date().toISOString(),
      },
    })
    for (const mode of ['old', 'new'] as const) {
      const inv = await invalidation(stores[0]!, stores[1]!, mode)
      console.log(
        `invalidation (${mode}: ${mode === 'old' ? 'every change drops every document' : 'a change drops what it touched, hot documents rendered ahead'}) over ${INVALIDATIONS} writes: commit → other replica's version p50 ${f(pct(inv.notice, 50))} p99 ${f(pct(inv.notice, 99))}; commit → fresh feed bytes there p50 ${f(pct(inv.fresh, 50))} p99 ${f(pct(inv.fresh, 99))} (target p99 < ${TARGET_P99_MS} ms: ${pct(inv.fresh, 99) < TARGET_P99_MS ? 'met' : 'NOT met'}); renders per write there ${inv.rendersPerWrite.toFixed(2)}`,
      )
    }
  } finally {
    for (const s of stores) await s.close()
    await cluster.stop()
  }
}
