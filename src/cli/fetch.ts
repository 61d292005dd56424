/** `topicwire fetch --once [--source ID]`: one poll cycle now, with a per-source summary table. */
import { loadCachedConfig } from '../config/load-cached.js'
import type { EntryMemo } from '../ingest/entry-memo.js'
import {
  ONE_SHOT_WORKER_HEAP_LIMITS,
  oneShotWorkerCount,
  prestartWorkers,
} from '../ingest/workers/pool.js'
import type { Metrics } from '../model/types.js'
import { growOldGeneration } from '../util/old-generation.js'
import { growYoungGenerationTo, holdYoungGeneration } from '../util/young-generation.mjs'
import type { CliContext } from './context.js'
import { logOptions } from './log-options.js'

/**
 * How far the old generation may grow past what a full collection left, for this command: 30% of
 * it, or 20 MB if more (src/util/old-generation.ts). V8's default about doubles it, and a first
 * import of 1,000 feeds peaked ~90 MB higher with it (`npm run bench start`).
 */
const ONE_SHOT_OLD_GROWTH = { floorPercent: 30, slackMb: 20 }

/**
 * The cap of the main thread's young generation while the polls run (both semi-spaces, MB). The
 * 16 MB it ran with before the configuration's sources were read without the YAML reader: that
 * reading's garbage had grown it there during start-up. Left at the default 8 MB, a first import
 * of 1,000 feeds made ~110 more scavenges and ~8 more full collections on this thread (one
 * --trace-gc run each: 156 / 27 at 16 MB, 267 / 35 at 8 MB), ~3% more CPU for ~10 MB less peak.
 */
const ONE_SHOT_YOUNG_MB = 16

/** The entries of a poll are remembered for the source's next poll, which a one-shot command never makes. */
const FORGETFUL: EntryMemo = { get: () => undefined, set: () => undefined }

/**
 * The metrics of a command that never serves them: nothing recorded, and prom-client (with the
 * process metrics it would sample through the run) never loaded.
 */
const UNSERVED_METRICS: Metrics = {
  recordPoll: () => undefined,
  recordItems: () => undefined,
  recordRequest: () => undefined,
  render: async () => '',
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
}

/**
 * Polls every enabled source (or one) whatever its schedule, stores the result and prints a table.
 * Exit code 0 even when sources fail (their errors are in the table); 1 for an invalid config or
 * an unknown source id.
 */
export const fetchCommand = async (
  ctx: CliContext,
  opts: { sourceId?: string },
): Promise<number> => {
  // A configuration the cache does not know (a first run, an edited file) is read the slow way:
  // the analysis workers load their modules meanwhile, so that a first import's first documents
  // find one ready instead of waiting for it. Run from cron, the file is cached and read at once,
  // and a cycle of 304s starts no worker at all. A configuration that wants fewer workers (or
  // none) stops the others. What polls and stores (the runtime, the scheduler) is loaded only
  // after the configuration is read: the workers start before it, not after.
  let early: ReturnType<typeof prestartWorkers> | undefined
  let config: Awaited<ReturnType<typeof loadCachedConfig>>
  try {
    config = await loadCachedConfig(ctx.configPath, ctx.env, () => {
      early = prestartWorkers(oneShotWorkerCount(), ONE_SHOT_WORKER_HEAP_LIMITS)
    })
  } catch (err) {
    await early?.close()
    throw err
  }
  if (opts.sourceId && !config.sources.some((s) => s.id === opts.sourceId)) {
    await early?.close()
    ctx.err(
      `topicwire: unknown source "${opts.sourceId}"; known: ${config.sources.map((s) => s.id).join(', ')}`,
    )
    return 1
  }
  const [{ createRuntime }, { runCycle }] = await Promise.all([
    import('../runtime.js'),
    import('../ingest/scheduler.js'),
  ])
  const runtime = await createRuntime(config, {
    ...(early ? { prestarted: early } : {}),
    // The table shows each source's error; logs add only what is unexpected.
    ...logOptions(ctx.env, 'error'),
    // A cycle whose sources all answer 304 reads no stored item: the store opens with its states.
    deferItems: true,
    defaultWorkers: oneShotWorkerCount(),
    workerHeapLimits: ONE_SHOT_WORKER_HEAP_LIMITS,
    entryMemo: FORGETFUL,
    metrics: UNSERVED_METRICS,
  })
  const stopOldGrowth = growOldGeneration(ONE_SHOT_OLD_GROWTH)
  try {
    // The young generation, held since start-up (bin/topicwire.js), may grow to its cap while the
    // polls run, and is held again for the final flush (src/util/young-generation.mjs).
    growYoungGenerationTo(ONE_SHOT_YOUNG_MB)
    const cycle = await runCycle(runtime.deps, {
      force: true,
      sourceIds: opts.sourceId ? [opts.sourceId] : undefined,
      // Nothing is analysed after the polls: the workers' heaps go before the final flush.
      afterPolls: async () => {
        holdYoungGeneration()
        await runtime.stopAnalysis()
      },
    })
    const rows = cycle.reports.map((r) => [
      r.sourceId,
      r.outcome,
      String(r.summary.new),
      String(r.summary.updated),
      String(r.summary.unchanged),
      r.error ?? (r.recovered?.length ? `recovered from: ${r.recovered.join(', ')}` : ''),
    ])
    for (const line of table(['source', 'result', 'new', 'updated', 'unchanged', 'error'], rows)) {
      ctx.out(line)
    }
    const t = cycle.totals
    ctx.out(
      `\n${cycle.reports.length} sources: ${t.new} new, ${t.updated} updated, ${t.unchanged} unchanged, ${t.notModified} not modified, ${t.errors} failed`,
    )
    return 0
  } finally {
    await runtime.close()
    stopOldGrowth()
  }
}

/** Left-aligned plain-text columns. */
export const table = (head: string[], rows: string[][]): string[] => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const fmt = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)]
}
