import { describe, expect, it } from 'vitest'
import { isoOfEpochMs } from '../../src/store/postgres/iso-of-epoch.js'

describe('isoOfEpochMs', () => {
  it('writes what toISOString writes: edges, leap days, every millisecond width', () => {
    const edges = [
      0,
      1,
      999,
      1000,
      59_999,
      3_599_999,
      86_399_999,
      86_400_000,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('2000-03-01T00:00:00.010Z'),
      Date.parse('2100-02-28T12:34:56.100Z'),
      253_402_300_799_999,
    ]
    for (const ms of edges) expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString())
  })

  it('agrees with toISOString on random times, repeated days and many days (the bounded day cache)', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      return seed / 2_147_483_648
    }
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(random() * 253_402_300_800_000)
      expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString())
      // A second time on the same day, from the cached prefix.
      const same = ms - (ms % 86_400_000) + Math.floor(random() * 86_400_000)
      expect(isoOfEpochMs(same)).toBe(new Date(same).toISOString())
    }
  })

  it('hands times outside 1970–9999 and fractions to toISOString, and throws as it does', () => {
    for (const ms of [-1, -62_198_755_200_000, 253_402_300_800_000, 8.64e15, 1.5])
      expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString())
    expect(() => isoOfEpochMs(8.64e15 + 1)).toThrow(RangeError)
    expect(() => isoOfEpochMs(Number.NaN)).toThrow(RangeError)
  })
})
