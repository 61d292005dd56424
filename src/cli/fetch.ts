/** `topicwire fetch --once [--source ID]`: one poll cycle now, with a per-source summary table. */
import { loadConfig } from '../config/load.js'
import { runCycle } from '../ingest/scheduler.js'
import { oneShotWorkerCount } from '../ingest/workers/pool.js'
import { createRuntime } from '../runtime.js'
import type { CliContext } from './context.js'
import { logOptions } from './log-options.js'

/**
 * Polls every enabled source (or one) whatever its schedule, stores the result and prints a table.
 * Exit code 0 even when sources fail (their errors are in the table); 1 for an invalid config or
 * an unknown source id.
 */
export const fetchCommand = async (
  ctx: CliContext,
  opts: { sourceId?: string },
): Promise<number> => {
  const config = await loadConfig(ctx.configPath, ctx.env)
  if (opts.sourceId && !config.sources.some((s) => s.id === opts.sourceId)) {
    ctx.err(
      `topicwire: unknown source "${opts.sourceId}"; known: ${config.sources.map((s) => s.id).join(', ')}`,
    )
    return 1
  }
  const runtime = await createRuntime(config, {
    // The table shows each source's error; logs add only what is unexpected.
    ...logOptions(ctx.env, 'error'),
    // A cycle whose sources all answer 304 reads no stored item: the store opens with its states.
    deferItems: true,
    defaultWorkers: oneShotWorkerCount(),
  })
  try {
    const cycle = await runCycle(runtime.deps, {
      force: true,
      sourceIds: opts.sourceId ? [opts.sourceId] : undefined,
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
