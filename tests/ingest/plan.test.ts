import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../../src/ingest/fetch/http-client.js'
import { MAX_DELAY_MS, nextPollAt, type PlanInput } from '../../src/ingest/plan.js'

// Monday 10 March 2025, 12:03:27 UTC.
const NOW = new Date('2025-03-10T12:03:27.000Z')
const MIN = 60_000
const HOUR = 60 * MIN
const fixed = (r: number) => () => r
/** random() = 0.5 puts the signed jitter at exactly zero. */
const MID = fixed(0.5)

const plan = (over: Partial<PlanInput>): Date =>
  nextPollAt({ every: '15m', now: NOW, random: MID, outcome: 'ok', failures: 0, ...over })
const delayOf = (over: Partial<PlanInput>): number => plan(over).getTime() - NOW.getTime()

describe('nextPollAt: ok and not-modified', () => {
  it.each([
    ['15m', 'ok', '2025-03-10T12:18:27.000Z'],
    ['1h', 'ok', '2025-03-10T13:03:27.000Z'],
    ['2d', 'ok', '2025-03-12T12:03:27.000Z'], // an interval beyond 24 h is the user's choice
    ['15m', 'not-modified', '2025-03-10T12:18:27.000Z'],
    ['*/10 * * * *', 'ok', '2025-03-10T12:10:00.000Z'],
    ['0 6 * * *', 'not-modified', '2025-03-11T06:00:00.000Z'],
  ] as const)('every %s, %s → %s', (every, outcome, expected) => {
    // random() = 0 is the low end: signed jitter −10 %, cron jitter 0 — so use MID for durations.
    const random = every.includes(' ') ? fixed(0) : MID
    expect(plan({ every, outcome, random }).toISOString()).toBe(expected)
  })

  it.each([
    // every, random, expected delay: ±10 % of the interval, at most 5 minutes.
    ['15m', 0, 15 * MIN - 90_000],
    ['15m', 0.75, 15 * MIN + 45_000],
    ['2h', 0, 2 * HOUR - 5 * MIN],
    ['2h', 1, 2 * HOUR + 5 * MIN],
  ])('every %s with random %d → delay %i ms', (every, r, expected) => {
    expect(delayOf({ every, random: fixed(r) })).toBe(expected)
  })

  it('keeps every jittered delay inside the bounds and actually spreads them', () => {
    const delays = new Set<number>()
    for (let i = 0; i < 100; i++) {
      const d = delayOf({ every: '30m', random: fixed(i / 100) })
      expect(d).toBeGreaterThanOrEqual(30 * MIN - 3 * MIN)
      expect(d).toBeLessThan(30 * MIN + 3 * MIN)
      delays.add(d)
    }
    expect(delays.size).toBe(100)
  })

  it('never jitters a cron run earlier than its time', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const at = plan({ every: '*/10 * * * *', random: fixed(r) }).getTime()
      expect(at).toBeGreaterThanOrEqual(Date.parse('2025-03-10T12:10:00.000Z'))
      expect(at).toBeLessThan(Date.parse('2025-03-10T12:11:00.000Z')) // 10 % of 10 minutes
    }
  })

  it.each([
    // cacheMaxAgeMs / ttlMinutes lengthen the wait (capped at 24 h), never shorten it.
    [{ cacheMaxAgeMs: HOUR }, HOUR],
    [{ cacheMaxAgeMs: 5 * MIN }, 15 * MIN],
    [{ cacheMaxAgeMs: 0 }, 15 * MIN],
    [{ cacheMaxAgeMs: 3 * 24 * HOUR }, MAX_DELAY_MS],
    [{ ttlMinutes: 60 }, HOUR],
    [{ ttlMinutes: 5 }, 15 * MIN],
    [{ ttlMinutes: 120, cacheMaxAgeMs: HOUR }, 2 * HOUR],
  ])('server hint %o → delay %i ms', (hint, expected) => {
    expect(delayOf({ ...hint, outcome: 'ok' })).toBe(expected)
    expect(delayOf({ ...hint, outcome: 'not-modified' })).toBe(expected)
  })

  it('lengthens a cron schedule to the first run after the hint', () => {
    const at = plan({ every: '*/10 * * * *', random: fixed(0), cacheMaxAgeMs: 25 * MIN })
    expect(at.toISOString()).toBe('2025-03-10T12:30:00.000Z')
  })
})

describe('nextPollAt: errors back off exponentially up to 24 h', () => {
  const expected = [
    15 * MIN,
    30 * MIN,
    HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    16 * HOUR,
    24 * HOUR,
    24 * HOUR,
    24 * HOUR,
    24 * HOUR,
    24 * HOUR,
  ]
  it.each(expected.map((ms, i) => [i + 1, ms]))('failure %i → %i ms', (failures, ms) => {
    expect(delayOf({ outcome: 'error', failures })).toBe(ms)
  })

  it('treats failures = 0 like the first failure', () => {
    expect(delayOf({ outcome: 'error', failures: 0 })).toBe(15 * MIN)
  })

  it('stays within 24 h whatever the jitter and failure count, and keeps capped sources spread', () => {
    const capped = new Set<number>()
    for (const failures of [1, 5, 8, 12, 40, 1000]) {
      for (const r of [0, 0.3, 0.5, 0.9, 0.999]) {
        const d = delayOf({ outcome: 'error', failures, random: fixed(r) })
        expect(d).toBeLessThanOrEqual(MAX_DELAY_MS)
        expect(d).toBeGreaterThan(0)
        if (failures >= 12) capped.add(d)
      }
    }
    expect(capped.size).toBeGreaterThan(1)
  })

  it('backs off from the cron period for a cron schedule', () => {
    expect(delayOf({ every: '*/10 * * * *', outcome: 'error', failures: 3 })).toBe(40 * MIN)
  })
})

describe('nextPollAt: retry-later honours Retry-After', () => {
  it.each([
    // Retry-After, failures, expected delay with random() = 0
    [120_000, 1, 15 * MIN], // shorter than the interval: the interval wins
    [2 * HOUR, 1, 2 * HOUR],
    [undefined, 1, 15 * MIN],
    [undefined, 3, HOUR], // repeated 429/503 without a hint back off like errors
    [3 * 24 * HOUR, 1, MAX_DELAY_MS],
  ])('Retry-After %s ms after %i failures → %i ms', (retryAfterMs, failures, expected) => {
    expect(delayOf({ outcome: 'retry-later', retryAfterMs, failures, random: fixed(0) })).toBe(
      expected,
    )
  })

  it('honours Retry-After given in seconds and as an HTTP date (one minute interval)', () => {
    const seconds = parseRetryAfter('600', null, NOW)
    const date = parseRetryAfter('Mon, 10 Mar 2025 14:03:27 GMT', null, NOW)
    expect(
      delayOf({
        every: '1m',
        outcome: 'retry-later',
        retryAfterMs: seconds,
        failures: 1,
        random: fixed(0),
      }),
    ).toBe(10 * MIN)
    expect(
      delayOf({
        every: '1m',
        outcome: 'retry-later',
        retryAfterMs: date,
        failures: 1,
        random: fixed(0),
      }),
    ).toBe(2 * HOUR)
  })

  it('never polls before Retry-After, whatever the jitter', () => {
    for (const r of [0, 0.5, 0.999]) {
      const d = delayOf({
        outcome: 'retry-later',
        retryAfterMs: HOUR,
        failures: 1,
        random: fixed(r),
      })
      expect(d).toBeGreaterThanOrEqual(HOUR)
      expect(d).toBeLessThanOrEqual(HOUR + 5 * MIN)
    }
  })
})

describe('nextPollAt: gone', () => {
  it('returns now + 24 h', () => {
    expect(plan({ outcome: 'gone', failures: 1 }).toISOString()).toBe('2025-03-11T12:03:27.000Z')
  })
})
