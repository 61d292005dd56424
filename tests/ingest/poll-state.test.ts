import { describe, expect, it } from 'vitest'
import {
  confirmRedirect,
  HISTORY_MAX,
  OUTAGE_NOTE,
  outageFailure,
  REDIRECT_CONFIRM_MS,
  withHistory,
} from '../../src/ingest/poll-state.js'
import type { PollOutcome, PollRecord, SourceState } from '../../src/model/types.js'

const T0 = new Date('2026-11-20T12:00:00.000Z')
const at = (ms: number): Date => new Date(T0.getTime() + ms)
const HOUR = 3_600_000
const OLD = 'https://old.example/feed'
const NEW = 'https://new.example/feed'
const OTHER = 'https://other.example/feed'

const state = (over: Partial<SourceState> = {}): SourceState => ({
  sourceId: 's',
  failures: 0,
  nextPollAt: T0.toISOString(),
  ...over,
})
const record = (outcome: PollOutcome, i = 0): PollRecord => ({
  at: at(i * 60_000).toISOString(),
  outcome,
})

describe('confirmRedirect', () => {
  const pendingSince = (url: string, ms: number) => ({
    pendingRedirect: { url, firstSeenAt: at(ms).toISOString() },
  })

  it.each([
    ['no redirect keeps the stored URL', {}, undefined, 0, { effectiveUrl: undefined }],
    [
      'no redirect forgets a pending one',
      { effectiveUrl: OLD, ...pendingSince(NEW, 0) },
      undefined,
      HOUR,
      { effectiveUrl: OLD },
    ],
    [
      'a first sighting becomes pending from now',
      {},
      NEW,
      HOUR,
      {
        effectiveUrl: undefined,
        pendingRedirect: { url: NEW, firstSeenAt: at(HOUR).toISOString() },
      },
    ],
    [
      'the same target within the window stays pending since its first sighting',
      pendingSince(NEW, 0),
      NEW,
      REDIRECT_CONFIRM_MS - 1,
      { effectiveUrl: undefined, pendingRedirect: { url: NEW, firstSeenAt: T0.toISOString() } },
    ],
    [
      'the same target after the window is adopted',
      { effectiveUrl: OLD, ...pendingSince(NEW, 0) },
      NEW,
      REDIRECT_CONFIRM_MS,
      { effectiveUrl: NEW },
    ],
    [
      'another target restarts the window',
      pendingSince(NEW, 0),
      OTHER,
      2 * REDIRECT_CONFIRM_MS,
      {
        effectiveUrl: undefined,
        pendingRedirect: { url: OTHER, firstSeenAt: at(2 * REDIRECT_CONFIRM_MS).toISOString() },
      },
    ],
    [
      'an unreadable firstSeenAt restarts the window',
      { pendingRedirect: { url: NEW, firstSeenAt: 'yesterday' } },
      NEW,
      HOUR,
      {
        effectiveUrl: undefined,
        pendingRedirect: { url: NEW, firstSeenAt: at(HOUR).toISOString() },
      },
    ],
  ])('%s', (_case, prev, seen, now, expected) => {
    const out = confirmRedirect(state(prev), seen, at(now))
    expect(out).toEqual({ pendingRedirect: undefined, ...expected })
  })

  it('adopts at once with a window of 0', () => {
    expect(confirmRedirect(state(), NEW, T0, 0)).toEqual({
      effectiveUrl: NEW,
      pendingRedirect: undefined,
    })
  })
})

describe('poll history', () => {
  it('appends, keeping the newest HISTORY_MAX polls, oldest first', () => {
    let s = state()
    for (let i = 0; i < HISTORY_MAX + 5; i++) s = withHistory(s, record('ok', i))
    expect(s.history).toHaveLength(HISTORY_MAX)
    expect(s.history?.[0]).toEqual(record('ok', 5))
    expect(s.history?.at(-1)).toEqual(record('ok', HISTORY_MAX + 4))
  })
})

describe('outageFailure', () => {
  it('records the error with a note, keeps failures and sets the retry time', () => {
    const retry = at(5 * 60_000)
    const out = outageFailure(state({ failures: 2 }), 'fetch', 'connection refused', T0, retry)
    expect(out).toMatchObject({
      failures: 2,
      nextPollAt: retry.toISOString(),
      lastError: {
        code: 'fetch',
        message: `connection refused (${OUTAGE_NOTE})`,
        at: T0.toISOString(),
      },
    })
  })
})
