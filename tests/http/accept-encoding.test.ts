import { describe, expect, it } from 'vitest'
import { chooseCoding, createCodingChooser } from '../../src/http/accept-encoding.js'

describe('chooseCoding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['deflate', undefined],
    ['identity', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['*;q=0, gzip', 'gzip'],
    ['gzip;q=0', undefined],
    ['gzip;q=0.5, identity', undefined],
    ['gzip;q=0.5, identity;q=0.4', 'gzip'],
    ['identity;q=0', undefined],
    ['gzip;q=2', undefined],
    ['gzip;q=abc, br;q=0.1', 'br'],
    ['gzip ; q=0.9 , br ; q=0.3', 'gzip'],
    [' , ;q=1, gzip', 'gzip'],
  ] as const)('%j → %s', (header, want) => {
    expect(chooseCoding(header)).toBe(want)
    // The memoised chooser answers the same, the first time and from its memo.
    const choose = createCodingChooser()
    expect(choose(header)).toBe(want)
    expect(choose(header)).toBe(want)
  })

  it('keeps its memo bounded and still answers values it forgot or never kept', () => {
    const choose = createCodingChooser()
    for (let i = 0; i < 500; i++)
      expect(choose(`gzip;q=0.${i % 10}, x${i}`)).toBe(i % 10 ? 'gzip' : undefined)
    expect(choose('gzip;q=0.1, x0')).toBe('gzip')
    const long = `${'a, '.repeat(1000)}br`
    expect(choose(long)).toBe('br')
  })
})
