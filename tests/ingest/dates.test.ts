import { describe, expect, it } from 'vitest'
import { parseFeedDate } from '../../src/ingest/dates.js'

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
