import { describe, expect, it } from 'vitest'
import { cronProblem, isTimeZone } from '../../src/config/fields.js'
import { isHttpUrl } from '../../src/config/plain-checks.js'
import { allowedKeysAt } from '../../src/config/schema.js'

describe('field checks', () => {
  it.each([
    ['https://www.dawn.com/feeds/home', true],
    ['HTTP://example.org', true],
    ['http://127.0.0.1:8080/feed.xml', true],
    ['dawn.com/feeds', false],
    ['ftp://example.org/feed', false],
    ['https://', false],
    ['javascript:alert(1)', false],
  ])('isHttpUrl(%s) is %s', (url, expected) => {
    expect(isHttpUrl(url)).toBe(expected)
  })

  it.each([
    ['Asia/Karachi', true],
    ['Asia/Kabul', true],
    ['UTC', true],
    ['asia/kabul', true],
    ['Asia/Calcutta', true],
    ['Asia/Lahore', false],
    ['GMT+25', false],
  ])('isTimeZone(%s) is %s', (zone, expected) => {
    expect(isTimeZone(zone)).toBe(expected)
  })

  it.each([
    ['*/10 * * * *', undefined],
    ['0 0 * * 1-5', undefined],
    ['30 */5 * * * *', undefined],
    ['61 * * * *', 'the minute field cannot be "61"'],
    ['0 25 * * *', 'the hour field cannot be "25"'],
    [
      '* * *',
      'it has 3 fields; a cron expression has 5 (minute hour day month weekday) or 6 with seconds first',
    ],
  ])('cronProblem(%s)', (expr, expected) => {
    expect(cronProblem(expr)).toBe(expected)
  })
})

describe('allowedKeysAt', () => {
  it.each([
    [[], ['server', 'storage', 'fetch', 'sources', 'topics', 'feeds']],
    [
      ['storage', 'retention'],
      ['max_age_days', 'max_items_per_source'],
    ],
    [
      ['sources', 3],
      [
        'id',
        'title',
        'url',
        'every',
        'tags',
        'language',
        'timezone',
        'priority',
        'enabled',
        'allow_private_networks',
      ],
    ],
    [
      ['topics', 'any-id'],
      ['title', 'match', 'in', 'source_tags', 'exclude_source_tags', 'min_score', 'model'],
    ],
    [
      ['topics', 'any-id', 'model'],
      ['mode', 'threshold', 'file'],
    ],
    [
      ['feeds', 0],
      ['id', 'title', 'description', 'topics', 'sources', 'exclude_topics', 'limit'],
    ],
    [['nowhere'], []],
  ])('%j', (path, expected) => {
    expect(allowedKeysAt(path)).toEqual(expected)
  })
})
