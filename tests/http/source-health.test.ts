/** Source health from stored state: the status operators see and the 304 share of the poll history. */
import { describe, expect, it } from 'vitest'
import { notModifiedShare, sourceStatus } from '../../src/http/source-health.js'
import type { PollOutcome, PollRecord, Source, SourceState } from '../../src/model/types.js'

const T0 = new Date('2026-11-20T12:00:00.000Z')
const state = (over: Partial<SourceState> = {}): SourceState => ({
  sourceId: 's',
  failures: 0,
  nextPollAt: T0.toISOString(),
  ...over,
})
const record = (outcome: PollOutcome, i = 0): PollRecord => ({
  at: new Date(T0.getTime() + i * 60_000).toISOString(),
  outcome,
})
const source = (over: Partial<Source> = {}): Source => ({
  id: 's',
  title: 'S',
  url: 'https://example.org/feed',
  tags: [],
  priority: 0,
  enabled: true,
  ...over,
})
const fetched = T0.toISOString()
const error = { code: 'fetch' as const, message: 'connection refused', at: fetched }

describe('sourceStatus', () => {
  it.each([
    ['disabled', source({ enabled: false }), state({ lastFetchAt: fetched })],
    ['pending', source(), undefined],
    ['pending', source(), state()],
    ['gone', source(), state({ lastFetchAt: fetched, gone: true })],
    ['failing', source(), state({ lastFetchAt: fetched, failures: 2, lastError: error })],
    ['failing', source(), state({ lastFetchAt: fetched, failures: 0, lastError: error })],
    ['ok', source(), state({ lastFetchAt: fetched, lastSuccessAt: fetched })],
    // Polled, no error recorded (yet), never a success: not "ok".
    ['pending', source(), state({ lastFetchAt: fetched })],
  ] as const)('is %s', (status, s, st) => {
    expect(sourceStatus(s, st)).toBe(status)
  })
})

describe('notModifiedShare', () => {
  it.each([
    [[], null],
    [['not-modified'], 1],
    [['ok', 'not-modified', 'not-modified', 'error'], 0.5],
    [['ok', 'not-modified', 'error'], 0.333],
    [['ok', 'error', 'gone'], 0],
  ] as const)('notModifiedShare of %j is %s', (outcomes, share) => {
    const history = outcomes.map((o, i) => record(o, i))
    expect(notModifiedShare(state({ history }))).toBe(share)
  })

  it('notModifiedShare of an unknown source is null', () => {
    expect(notModifiedShare(undefined)).toBeNull()
  })
})
