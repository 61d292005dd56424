import { describe, expect, it } from 'vitest'
import {
  computeValidators,
  EPOCH_HTTP_DATE,
  isNotModified,
  maxAgeSeconds,
  parseHttpDate,
} from '../../src/http/conditional.js'
import type { Item } from '../../src/model/types.js'
import { makeSource, testConfig } from '../helpers/runtime.js'

const item = (id: string, overrides: Partial<Item> = {}): Item => ({
  id,
  sourceId: 'dawn',
  title: `Item ${id}`,
  categories: [],
  enclosures: [],
  publishedAt: '2025-07-01T08:00:00.000Z',
  fetchedAt: '2025-07-01T08:05:00.000Z',
  contentHash: `hash-${id}`,
  topics: ['pakistan-afghanistan'],
  clusterId: id,
  ...overrides,
})

const KEY = '/topics/pakistan-afghanistan.rss?since=24h|config-1'
const items = [item('a'), item('b', { publishedAt: '2025-06-30T20:00:00.000Z' })]

describe('computeValidators', () => {
  it('gives a strong, quoted ETag of 27 base64url characters', () => {
    const { etag } = computeValidators(items, KEY)
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
  })

  it('is stable for the same key and items', () => {
    expect(computeValidators(items, KEY)).toStrictEqual(computeValidators([...items], KEY))
  })

  it.each<[string, Item[], string]>([
    ['another key (route, query, format or config)', items, `${KEY}x`],
    ['a changed contentHash', [item('a', { contentHash: 'new' }), items[1]!], KEY],
    ['re-tagging', [item('a', { topics: [] }), items[1]!], KEY],
    ['a new cluster', [item('a', { clusterId: 'b' }), items[1]!], KEY],
    ['another item', [item('a'), item('c')], KEY],
    ['another order', [items[1]!, items[0]!], KEY],
    ['one item fewer', [item('a')], KEY],
    [
      'an updatedAt when the hash is empty',
      [item('a', { contentHash: '', updatedAt: '2025-07-02T00:00:00Z' }), items[1]!],
      KEY,
    ],
  ])('changes the ETag on %s', (_name, changed, key) => {
    expect(computeValidators(changed, key).etag).not.toBe(computeValidators(items, KEY).etag)
  })

  it('ignores fields that do not reach the body through the item list (fetchedAt)', () => {
    const refetched = [item('a', { fetchedAt: '2025-07-03T00:00:00.000Z' }), items[1]!]
    expect(computeValidators(refetched, KEY).etag).toBe(computeValidators(items, KEY).etag)
  })

  it('takes Last-Modified from the newest updatedAt ?? publishedAt or fetchedAt', () => {
    expect(computeValidators(items, KEY).lastModified).toBe('Tue, 01 Jul 2025 08:05:00 GMT')
    const updated = [item('a', { updatedAt: '2025-07-02T09:00:00.000Z' }), items[1]!]
    expect(computeValidators(updated, KEY).lastModified).toBe('Wed, 02 Jul 2025 09:00:00 GMT')
  })

  it('clamps a future date to now when now is given', () => {
    const future = [item('a', { publishedAt: '2030-01-01T00:00:00.000Z' })]
    expect(computeValidators(future, KEY).lastModified).toBe('Tue, 01 Jan 2030 00:00:00 GMT')
    const now = new Date('2025-07-01T12:00:00.000Z')
    expect(computeValidators(future, KEY, { now }).lastModified).toBe(
      'Tue, 01 Jul 2025 12:00:00 GMT',
    )
  })

  it('gives the epoch for an empty list, and an ETag that still depends on the key', () => {
    const empty = computeValidators([], KEY)
    expect(empty.lastModified).toBe(EPOCH_HTTP_DATE)
    expect(empty.lastModified).toBe('Thu, 01 Jan 1970 00:00:00 GMT')
    expect(empty.etag).not.toBe(computeValidators([], 'other').etag)
  })

  it('dates an empty list by emptyAt, which takes part in the ETag (it is in the body too)', () => {
    const at = computeValidators([], KEY, { emptyAt: '2026-11-20T12:00:00.000Z' })
    expect(at.lastModified).toBe('Fri, 20 Nov 2026 12:00:00 GMT')
    expect(at.etag).not.toBe(computeValidators([], KEY).etag)
    expect(at.etag).not.toBe(
      computeValidators([], KEY, { emptyAt: '2026-11-21T12:00:00.000Z' }).etag,
    )
    expect(computeValidators([], KEY, { emptyAt: '2026-11-20T12:00:00.000Z' })).toEqual(at)
  })
})

describe('isNotModified', () => {
  const v = computeValidators(items, KEY)
  const bare = v.etag.slice(1, -1)

  it.each<[string, { ifNoneMatch?: string; ifModifiedSince?: string }, boolean]>([
    ['no conditional headers', {}, false],
    ['the same ETag', { ifNoneMatch: v.etag }, true],
    ['another ETag', { ifNoneMatch: '"other"' }, false],
    ['a list containing it', { ifNoneMatch: `"x", ${v.etag} , "y"` }, true],
    ['a list without it', { ifNoneMatch: '"x", "y"' }, false],
    ['the weak form (weak comparison for GET)', { ifNoneMatch: `W/${v.etag}` }, true],
    ['a weak list member', { ifNoneMatch: `"x",W/${v.etag}` }, true],
    ['*', { ifNoneMatch: '*' }, true],
    ['an unquoted tag (lenient)', { ifNoneMatch: bare }, true],
    ['an empty If-None-Match (ignored)', { ifNoneMatch: '  ' }, false],
    ['IMS equal to Last-Modified', { ifModifiedSince: 'Tue, 01 Jul 2025 08:05:00 GMT' }, true],
    ['IMS after Last-Modified', { ifModifiedSince: 'Wed, 02 Jul 2025 00:00:00 GMT' }, true],
    ['IMS before Last-Modified', { ifModifiedSince: 'Tue, 01 Jul 2025 08:04:59 GMT' }, false],
    ['IMS in RFC 850 form', { ifModifiedSince: 'Tuesday, 01-Jul-25 08:05:00 GMT' }, true],
    ['IMS in asctime form', { ifModifiedSince: 'Tue Jul  1 08:05:00 2025' }, true],
    ['a malformed IMS (ignored)', { ifModifiedSince: 'yesterday' }, false],
    [
      'an IMS that is not GMT (ignored)',
      { ifModifiedSince: 'Tue, 01 Jul 2025 08:05:00 +0000' },
      false,
    ],
    [
      'an impossible IMS date (ignored)',
      { ifModifiedSince: 'Tue, 31 Jun 2025 08:05:00 GMT' },
      false,
    ],
    [
      'If-None-Match mismatch wins over a matching IMS',
      { ifNoneMatch: '"other"', ifModifiedSince: 'Wed, 02 Jul 2025 00:00:00 GMT' },
      false,
    ],
    [
      'If-None-Match match wins over a failing IMS',
      { ifNoneMatch: v.etag, ifModifiedSince: 'Mon, 01 Jan 2024 00:00:00 GMT' },
      true,
    ],
  ])('%s → %s', (_name, req, expected) => {
    expect(isNotModified(req, v)).toBe(expected)
  })

  it('compares at second precision (Last-Modified from sub-second item dates)', () => {
    const precise = computeValidators([item('a', { fetchedAt: '2025-07-01T08:05:00.900Z' })], KEY)
    expect(precise.lastModified).toBe('Tue, 01 Jul 2025 08:05:00 GMT')
    expect(isNotModified({ ifModifiedSince: 'Tue, 01 Jul 2025 08:05:00 GMT' }, precise)).toBe(true)
  })

  it('matches a weak stored ETag too', () => {
    expect(isNotModified({ ifNoneMatch: '"abc"' }, { ...v, etag: 'W/"abc"' })).toBe(true)
  })
})

describe('parseHttpDate', () => {
  it.each<[string, string | undefined]>([
    ['Sun, 06 Nov 1994 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sun Nov  6 08:49:37 1994', '1994-11-06T08:49:37.000Z'],
    ['Thursday, 01-Jan-26 00:00:00 GMT', '2026-01-01T00:00:00.000Z'],
    ['Sun, 06 Nov 1994 08:49:37', undefined],
    ['Sun, 06 Foo 1994 08:49:37 GMT', undefined],
    ['Sun, 06 Nov 1994 24:00:00 GMT', undefined],
    ['1994-11-06T08:49:37Z', undefined],
    ['', undefined],
  ])('%j', (text, iso) => {
    const t = parseHttpDate(text)
    expect(t === undefined ? undefined : new Date(t).toISOString()).toBe(iso)
  })
})

describe('maxAgeSeconds', () => {
  const config = testConfig({
    fetch: { ...testConfig().fetch, every: '15m' },
    sources: [
      makeSource({ id: 'fast', every: '2m' }),
      makeSource({ id: 'default' }),
      makeSource({ id: 'cron', every: '*/30 * * * *' }),
      makeSource({ id: 'off', every: '30s', enabled: false }),
    ],
  })
  const now = new Date('2026-11-20T12:07:00.000Z')

  it.each<[string, string[] | undefined, number]>([
    ['every enabled source: the fastest', undefined, 120],
    ['one source on the default interval', ['default'], 900],
    ['a cron source: the time between two runs', ['cron'], 1800],
    ['default and cron', ['default', 'cron'], 900],
    ['a disabled source alone: the default interval', ['off'], 900],
    ['no source at all: the default interval', [], 900],
  ])('%s', (_what, ids, seconds) => {
    expect(maxAgeSeconds(config, ids, now)).toBe(seconds)
  })
})
