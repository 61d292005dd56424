import { describe, expect, it } from 'vitest'
import { isoTime } from '../../src/util/iso-time.js'
import { seeded } from '../helpers/random.js'

describe('isoTime', () => {
  it('is Date.parse on toISOString output across years 0–9999, leap days and the ends of days', () => {
    const next = seeded(3)
    const times = [0, -1, 86_400_000 - 1, Date.UTC(2000, 1, 29), Date.UTC(1900, 2, 1) - 1]
    // The first instant of year 0 and the last of year 9999.
    times.push(-62_167_219_200_000, Date.UTC(9999, 11, 31, 23, 59, 59, 999))
    for (let i = 0; i < 20_000; i++) {
      // Any instant from year 0 to 9999.
      const span = 253_402_300_799_999 + 62_167_219_200_000
      const t = Math.floor(((next() * 65_536 + next()) / 2 ** 32) * span) - 62_167_219_200_000
      times.push(t - (t % 1000) + (next() % 1000))
    }
    for (const t of times) {
      const iso = new Date(t).toISOString()
      expect(iso).toHaveLength(24)
      expect(isoTime(iso)).toBe(Date.parse(iso))
      expect(isoTime(iso)).toBe(t)
    }
  })

  it('is Date.parse on strings of that shape out of range and on other forms', () => {
    const next = seeded(9)
    const two = () => String(next() % 100).padStart(2, '0')
    for (let i = 0; i < 20_000; i++) {
      // Fields in and out of range: month 13, day 30 of February, hour 24, second 60…
      const y = String(next() % 10_000).padStart(4, '0')
      const s = `${y}-${two()}-${two()}T${two()}:${two()}:${two()}.${String(next() % 1000).padStart(3, '0')}Z`
      expect(Object.is(isoTime(s), Date.parse(s))).toBe(true)
    }
    for (const s of [
      '2026-02-29T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2026-12-05T24:00:00.000Z',
      '2026-12-05T12:00:00Z',
      '2026-12-05T12:00:00.000+01:00',
      '2026-12-05 12:00:00.000Z',
      '2026-1a-05T12:00:00.000Z',
      '+02026-12-05T12:00:0.000Z',
      'Sat, 05 Dec 2026 12:00:00 GMT',
      '',
      'not a date at all, 24 ch',
    ])
      expect(Object.is(isoTime(s), Date.parse(s))).toBe(true)
  })
})
