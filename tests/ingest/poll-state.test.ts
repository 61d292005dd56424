import { describe, expect, it } from 'vitest'
import {
  answeredState,
  confirmRedirect,
  failedState,
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

describe('answeredState and failedState', () => {
  const ctx = { now: T0, every: '15m', random: () => 0.5 }
  const MIN = 60_000
  const prev = state({
    failures: 3,
    etag: '"v1"',
    recovered: ['a repair'],
    lastError: { code: 'http', message: 'HTTP 500', at: at(-HOUR).toISOString() },
    pendingRedirect: { url: NEW, firstSeenAt: at(-HOUR).toISOString() },
    history: [record('error', -60)],
  })

  it('a 200: failures reset, new validators and repairs, the poll recorded with what changed', () => {
    const out = answeredState(
      prev,
      { outcome: 'ok', status: 200, etag: '"v2"', recovered: [], changed: 0 },
      ctx,
    )
    expect(out).toMatchObject({
      failures: 0,
      lastStatus: 200,
      etag: '"v2"',
      lastFetchAt: T0.toISOString(),
      lastSuccessAt: T0.toISOString(),
      nextPollAt: at(15 * MIN).toISOString(),
    })
    expect(out.lastError).toBeUndefined()
    expect(out.recovered).toBeUndefined()
    // Answered without the redirect: the pending one is forgotten.
    expect(out.pendingRedirect).toBeUndefined()
    expect(out.history?.at(-1)).toEqual({
      at: T0.toISOString(),
      outcome: 'ok',
      status: 200,
      changed: 0,
    })
  })

  it('a 304 keeps the validators and repairs of the document it confirms', () => {
    const out = answeredState(prev, { outcome: 'not-modified', status: 304 }, ctx)
    expect(out).toMatchObject({
      failures: 0,
      lastStatus: 304,
      etag: '"v1"',
      recovered: ['a repair'],
    })
    expect(out.history?.at(-1)).toEqual({
      at: T0.toISOString(),
      outcome: 'not-modified',
      status: 304,
    })
  })

  it.each([
    [
      'error',
      { outcome: 'error', code: 'http', message: 'HTTP 404', status: 404 },
      { lastStatus: 404 },
    ],
    ['gone', { outcome: 'gone', code: 'http', message: 'HTTP 410', status: 410 }, { gone: true }],
    [
      'retry-later',
      {
        outcome: 'retry-later',
        code: 'http',
        message: 'HTTP 503',
        status: 503,
        retryAfterMs: 2 * HOUR,
      },
      { lastStatus: 503 },
    ],
  ] as const)('a failure (%s): counted, the error kept, backed off', (outcome, failure, extra) => {
    const out = failedState(prev, failure, ctx)
    expect(out).toMatchObject({
      failures: 4,
      lastFetchAt: T0.toISOString(),
      lastError: { code: 'http', message: failure.message, at: T0.toISOString() },
      ...extra,
    })
    // Backed off: past the interval, and past Retry-After when the server sent one.
    const wait = 'retryAfterMs' in failure ? failure.retryAfterMs : 15 * MIN
    expect(Date.parse(out.nextPollAt)).toBeGreaterThan(T0.getTime() + wait)
    expect(out.history?.at(-1)).toEqual({ at: T0.toISOString(), outcome, status: failure.status })
    expect(out.pendingRedirect).toEqual(outcome === 'gone' ? undefined : prev.pendingRedirect)
  })

  it('a transport failure during an outage: not counted, retried with the rest', () => {
    const retryAt = at(5 * MIN)
    const failure = { outcome: 'error', code: 'fetch', message: 'connection refused' } as const
    const out = failedState(prev, failure, { ...ctx, outage: { retryAt } })
    expect(out).toMatchObject({ failures: 3, nextPollAt: retryAt.toISOString() })
    expect(out.lastError?.message).toContain(OUTAGE_NOTE)
    expect(out.lastStatus).toBeUndefined()
  })
})
