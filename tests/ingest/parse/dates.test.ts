import { describe, expect, it } from 'vitest'
import { parseFeedDate } from '../../../src/ingest/parse/dates.js'
import { seeded } from '../../helpers/random.js'

const iso = (raw: string, tz?: string): string | undefined => parseFeedDate(raw, tz)?.toISOString()

describe('parseFeedDate', () => {
  it.each([
    ['Tue, 10 Mar 2026 14:20:00 +0500', '2026-03-10T09:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 GMT', '2026-03-10T14:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 UT', '2026-03-10T14:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 Z', '2026-03-10T14:20:00.000Z'],
    ['10 Mar 2026 14:20 -0800', '2026-03-10T22:20:00.000Z'],
    ['Tue, 10 Mar 26 14:20:00 +0000', '2026-03-10T14:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 EST', '2026-03-10T19:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 PDT', '2026-03-10T21:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 PKT', '2026-03-10T09:20:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 AFT', '2026-03-10T09:50:00.000Z'],
    ['Tue, 10 Mar 2026 14:20:00 IST', '2026-03-10T08:50:00.000Z'],
    ['Tuesday, 10 March 2026 14:20:00 +05:30', '2026-03-10T08:50:00.000Z'],
  ])('reads RFC 822 %j', (raw, expected) => {
    expect(iso(raw)).toBe(expected)
  })

  it('reads RFC 822 in every common spelling to the instant it names (its one-match fast path)', () => {
    const zones: [string, number][] = [
      ['GMT', 0],
      ['UTC', 0],
      ['Z', 0],
      ['+0000', 0],
      ['+0500', 300],
      ['-0430', -270],
      ['PKT', 300],
      ['AFT', 270],
      ['EST', -300],
      ['gmt', 0],
    ]
    const next = seeded(822)
    for (let n = 0; n < 500; n++) {
      // Whole seconds between 1990 and 2050.
      const instant = Date.UTC(1990, 0, 1) + ((next() * 65_536 + next()) % 1_893_456_000) * 1000
      const [zone, offset] = zones[n % zones.length] ?? ['GMT', 0]
      const wall = new Date(instant + offset * 60_000).toUTCString() // "Tue, 10 Mar 2026 14:20:00 GMT"
      const noDay = n % 3 === 0 ? wall.slice(5) : wall
      const text = n % 4 === 0 ? noDay.replace(/:\d\d GMT$/, ' GMT') : noDay
      const expected = n % 4 === 0 ? instant - (instant % 60_000) : instant
      expect(parseFeedDate(text.replace(/GMT$/, zone))?.getTime(), text).toBe(expected)
    }
  })

  it('reads RFC 822 by char codes as its regular expression reads it, on random and odd dates', () => {
    // A leading space keeps a date off the char-code path (it reads exact text only): the
    // regular expression's reading after collapseWhitespace, to compare with.
    const next = seeded(1822)
    const pick = <T>(list: readonly T[]): T => list[next() % list.length] as T
    const two = (n: number): string => String(n).padStart(2, '0')
    const days = ['Tue, ', 'tue, ', 'XyZ, ', '', '', '1a, ', 'Tue ,']
    const months = ['Jan', 'feb', 'MAR', 'Apr', 'Jun', 'Sep', 'Dec', 'Foo', 'Ma1']
    const zones = [
      'GMT',
      'gmt',
      'UTC',
      'EST',
      '+0000',
      '-0430',
      '+1400',
      '+1500',
      '+0560',
      '-',
      '+05',
    ]
    let fast = 0
    for (let n = 0; n < 20_000; n++) {
      const day = next() % 33
      const dayText = next() % 4 === 0 ? String(day) : two(day)
      const year = pick([1999, 2026, 2024, 2100, 2000, 999, 1000, 9999])
      const yearText = year < 1000 ? `0${year}` : String(year)
      const time = `${two(next() % 26)}:${two(next() % 62)}${next() % 3 ? `:${two(next() % 62)}` : ''}`
      const text = `${pick(days)}${dayText} ${pick(months)} ${yearText} ${time} ${pick(zones)}`
      const got = parseFeedDate(text)?.getTime()
      expect(got, text).toBe(parseFeedDate(` ${text}`)?.getTime())
      if (got !== undefined) fast++
    }
    expect(fast).toBeGreaterThan(4_000)
  })

  it('reads a day name as a day name, not as a zone', () => {
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])
      expect(iso(`${day}, 10 Mar 2026 14:20:00 +0500`)).toBe('2026-03-10T09:20:00.000Z')
  })

  it.each([
    ['2026-03-10T14:20:00Z', '2026-03-10T14:20:00.000Z'],
    ['2026-03-10T14:20:00.123+04:30', '2026-03-10T09:50:00.123Z'],
    ['2026-03-10T14:20:00-0500', '2026-03-10T19:20:00.000Z'],
    ['2026-03-10 14:20:00 +05:00', '2026-03-10T09:20:00.000Z'],
    ['20260310T142000Z', '2026-03-10T14:20:00.000Z'],
    ['2026-03-10', '2026-03-10T00:00:00.000Z'],
    ['2026/03/10 14:20', '2026-03-10T14:20:00.000Z'],
  ])('reads ISO 8601 / RFC 3339 %j', (raw, expected) => {
    expect(iso(raw)).toBe(expected)
  })

  it.each([
    ['March 10, 2026 2:20 PM', '2026-03-10T14:20:00.000Z'],
    ['Mar 10 2026 12:05 am', '2026-03-10T00:05:00.000Z'],
    ['Tue Mar 10 2026 14:20:00 GMT+0500 (Pakistan Standard Time)', '2026-03-10T09:20:00.000Z'],
    ['Tue Mar 10 14:20:00 2026', '2026-03-10T14:20:00.000Z'],
    ['10-Mar-2026 14:20', '2026-03-10T14:20:00.000Z'],
    ['  Tue,  10 Mar 2026   14:20:00   GMT ', '2026-03-10T14:20:00.000Z'],
  ])('reads the sloppy form %j', (raw, expected) => {
    expect(iso(raw)).toBe(expected)
  })

  it.each([
    ['Asia/Karachi', '2026-03-10T09:20:00.000Z'],
    ['Asia/Kabul', '2026-03-10T09:50:00.000Z'],
    ['America/New_York', '2026-03-10T18:20:00.000Z'],
    ['Not/AZone', '2026-03-10T14:20:00.000Z'],
  ])('reads a date without a zone in the source timezone %s', (tz, expected) => {
    expect(iso('2026-03-10 14:20', tz)).toBe(expected)
    expect(iso('Tue, 10 Mar 2026 14:20:00', tz)).toBe(expected)
  })

  it('defaults to UTC and lets an explicit zone win over the source timezone', () => {
    expect(iso('2026-03-10T14:20:00')).toBe('2026-03-10T14:20:00.000Z')
    expect(iso('2026-03-10T14:20:00Z', 'Asia/Karachi')).toBe('2026-03-10T14:20:00.000Z')
  })

  it('lands on the right side of a daylight-saving change', () => {
    // 2026-03-08 is the US spring-forward day: 01:30 is EST, 03:30 is EDT.
    expect(iso('2026-03-08 01:30', 'America/New_York')).toBe('2026-03-08T06:30:00.000Z')
    expect(iso('2026-03-08 03:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z')
  })

  it.each([
    '',
    '   ',
    'yesterday',
    'not a date at all',
    '2026-13-01',
    '2026-02-30T10:00:00Z',
    'Tue, 32 Mar 2026 10:00:00 GMT',
    '10:00:00',
    '2026-03-10T10:00:00+99:00',
  ])('returns undefined for %j without throwing', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined()
  })
})
