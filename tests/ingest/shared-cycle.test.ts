/** runCycle on a store shared by replicas (PostgreSQL): three replicas' cycles split a tick's due sources, each polled once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCycle } from '../../src/ingest/scheduler.js'
import type { Source } from '../../src/model/types.js'
import { createTagger, wirePollDeps } from '../../src/runtime.js'
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { type PgCluster, pgSkipReason, startPgCluster } from '../helpers/postgres.js'
import { makeSource, testConfig } from '../helpers/runtime.js'

const skip = pgSkipReason()

const rss = (id: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>${id}</title>
<item><guid>${id}-1</guid><title>Report from ${id}</title><link>http://${id}.test/1</link></item></channel></rss>`

describe.skipIf(skip !== undefined)('runCycle with replicas sharing a PostgreSQL store', () => {
  let cluster: PgCluster
  const stores: PostgresStore[] = []
  beforeAll(async () => {
    cluster = await startPgCluster()
  }, 120_000)
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await cluster?.stop()
  }, 60_000)

  it("three replicas' cycles split a tick's due sources: each polled exactly once, by each replica some", async () => {
    const url = await cluster.createDatabase('shared_cycle')
    const sources: Source[] = Array.from({ length: 24 }, (_, i) =>
      makeSource({ id: `s${i}`, url: `http://s${i}.test/feed.xml` }),
    )
    const base = testConfig({ sources })
    const config = { ...base, fetch: { ...base.fetch, concurrency: 2 } }
    const replicas = await Promise.all(
      [0, 1, 2].map(async () => {
        const store = await createPostgresStore({ url, leaseMs: 60_000 })
        stores.push(store)
        const fake = fakeFetch()
        for (const s of sources) fake.set(s.url, { body: rss(s.id) })
        // Each poll takes a while, so the replicas' cycles overlap as real ones do.
        const slow: typeof fake.fetch = async (u, init) => {
          await new Promise((ok) => setTimeout(ok, 25))
          return fake.fetch(u, init)
        }
        const deps = wirePollDeps({
          config,
          tagger: createTagger(config),
          store,
          fetch: slow,
          clock: fixedClock(),
          logger: silentLogger,
          metrics: createMetrics(),
          random: () => 0.5,
        })
        return { deps, fake }
      }),
    )
    const cycles = await Promise.all(replicas.map((r) => runCycle(r.deps)))
    const fetched = new Map<string, number>()
    for (const r of replicas)
      for (const { url: u } of r.fake.requests) fetched.set(u, (fetched.get(u) ?? 0) + 1)
    expect(fetched.size).toBe(sources.length)
    expect([...fetched.values()].every((n) => n === 1)).toBe(true)
    const byReplica = cycles.map((c) => c.reports.length)
    expect(byReplica.reduce((a, b) => a + b, 0)).toBe(sources.length)
    // Claimed in chunks of fetch.concurrency as slots free: no replica takes the whole tick.
    for (const n of byReplica) expect(n).toBeGreaterThanOrEqual(3)
    // A second tick at the same instant finds nothing due on any replica.
    const again = await Promise.all(replicas.map((r) => runCycle(r.deps)))
    expect(again.map((c) => c.reports.length)).toEqual([0, 0, 0])
  }, 30_000)
})
