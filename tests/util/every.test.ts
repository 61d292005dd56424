/** The `every` grammar: durations, cron expressions and their intervals (UTC). */
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/model/errors.js'
import { checkEvery, intervalMs, nextCronTime, parseEvery } from '../../src/util/every.js'

// Monday 10 March 2025, 12:03:27 UTC.
const NOW = new Date('2025-03-10T12:03:27.000Z')
const MIN = 60_000
const HOUR = 60 * MIN
describe('intervalMs', () => {
  it.each([
    ['15m', 15 * MIN],
    ['1h30m', 90 * MIN],
    ['2d', 48 * HOUR],
    ['*/10 * * * *', 10 * MIN],
    ['0 6 * * *', 24 * HOUR],
    ['@hourly', HOUR],
    ['*/30 * * * * *', 30_000],
  ])('%s → %i ms', (every, ms) => {
    expect(intervalMs(every, NOW)).toBe(ms)
  })

  it('rejects a value that is neither a duration nor a cron expression', () => {
    expect(() => intervalMs('every hour', NOW)).toThrow(AppError)
    expect(() => parseEvery('15 minutes')).toThrow(/"15 minutes" is neither a duration/)
    expect(checkEvery('soon')).toMatch(/"soon" is neither a duration .* nor a cron expression/)
    expect(checkEvery('*/5 * * * *')).toBeUndefined()
    expect(checkEvery('10m')).toBeUndefined()
  })

  it('reads each value once (every poll plans with one), and a bad value fails every time', () => {
    expect(parseEvery('*/7 * * * *')).toBe(parseEvery('*/7 * * * *'))
    expect(parseEvery('25m')).toEqual({ kind: 'duration', ms: 1_500_000 })
    expect(parseEvery('25m')).toBe(parseEvery('25m'))
    expect(parseEvery(' 25m')).toEqual(parseEvery('25m'))
    for (let i = 0; i < 2; i++) expect(() => parseEvery('fortnightly')).toThrow(AppError)
  })
})

describe('nextCronTime (UTC)', () => {
  const next = (pattern: string, after: string) => {
    const s = parseEvery(pattern)
    if (s.kind !== 'cron') throw new Error(`${pattern} is not cron`)
    return nextCronTime(s.fields, new Date(after)).toISOString()
  }

  it.each([
    ['*/10 * * * *', '2025-03-10T12:03:27.000Z', '2025-03-10T12:10:00.000Z'],
    ['*/10 * * * *', '2025-03-10T12:10:00.000Z', '2025-03-10T12:20:00.000Z'], // strictly after
    ['*/10 * * * *', '2025-03-10T23:55:00.000Z', '2025-03-11T00:00:00.000Z'],
    ['0 6 * * *', '2025-03-10T12:03:27.000Z', '2025-03-11T06:00:00.000Z'],
    ['0 6 * * *', '2025-03-10T05:59:59.999Z', '2025-03-10T06:00:00.000Z'],
    ['0 9 * * 1-5', '2025-03-14T10:00:00.000Z', '2025-03-17T09:00:00.000Z'], // Friday → Monday
    ['0 0 1 * *', '2025-12-31T12:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['0 0 L * *', '2024-02-10T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['0 0 29 2 *', '2025-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 12 * * 5#2', '2025-03-01T00:00:00.000Z', '2025-03-14T12:00:00.000Z'], // 2nd Friday
    ['0 12 * * 1L', '2025-03-01T00:00:00.000Z', '2025-03-31T12:00:00.000Z'], // last Monday
    ['0 0 15W * *', '2025-03-01T00:00:00.000Z', '2025-03-14T00:00:00.000Z'], // 15th is a Saturday
  ])('%s after %s → %s', (pattern, after, expected) => {
    expect(next(pattern, after)).toBe(expected)
  })
})
