/** A source's health as operators read it, from its stored state: one answer for /api/sources and the index page. */
import type { Source, SourceState } from '../model/types.js'

export type SourceStatus = 'ok' | 'failing' | 'gone' | 'pending' | 'disabled'

/**
 * What a source's state says of it: `pending` until its first poll, `failing` while its last poll
 * failed (a failure during a network outage leaves `failures` at 0 but keeps the error), `gone`
 * after a 410, `disabled` when the configuration says so. Never `ok` before a first success.
 */
export const sourceStatus = (s: Source, st: SourceState | undefined): SourceStatus => {
  if (!s.enabled) return 'disabled'
  if (!st?.lastFetchAt) return 'pending'
  if (st.gone) return 'gone'
  if (st.failures > 0 || st.lastError) return 'failing'
  return st.lastSuccessAt ? 'ok' : 'pending'
}

/** Share of polls in the history answered with 304 Not Modified, or null without history. */
export const notModifiedShare = (s: SourceState | undefined): number | null => {
  const history = s?.history ?? []
  if (history.length === 0) return null
  let n = 0
  for (const p of history) if (p.outcome === 'not-modified') n++
  return Math.round((n / history.length) * 1000) / 1000
}
