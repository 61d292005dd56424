import { describe, expect, it } from 'vitest'
import { assignSourceIds, slugify } from '../../src/config/resolve.js'
import type { ParsedSource } from '../../src/config/schema.js'

describe('slugify', () => {
  it.each([
    ['Dawn', 'dawn'],
    ['The Express Tribune', 'the-express-tribune'],
    ['BBC News — Asia', 'bbc-news-asia'],
    ['Türkiye  Today!', 'turkiye-today'],
    ['feeds.bbci.co.uk', 'feeds-bbci-co-uk'],
    ['بی بی سی اردو', ''],
  ])('%s → %j', (text, expected) => {
    expect(slugify(text)).toBe(expected)
  })
})

describe('assignSourceIds', () => {
  const source = (over: Partial<ParsedSource>): ParsedSource => ({
    url: 'https://a.example/feed',
    tags: [],
    priority: 0,
    enabled: true,
    ...over,
  })

  it('keeps written ids and makes the generated ones unique around them', () => {
    const { sources, problems } = assignSourceIds([
      source({ title: 'Dawn' }),
      source({ title: 'Dawn' }),
      source({ id: 'dawn-2', title: 'Other' }),
      source({ url: 'https://www.example.org/rss' }),
      source({ title: '!!!', url: 'http://[::1]:8080/x' }),
    ])
    expect(problems).toEqual([])
    expect(sources.map((s) => [s.id, s.title])).toEqual([
      ['dawn', 'Dawn'],
      ['dawn-3', 'Dawn'],
      ['dawn-2', 'Other'],
      ['example-org', 'example.org'],
      ['1', '!!!'],
    ])
  })

  it('reports an id written twice at the second one', () => {
    const { problems } = assignSourceIds([
      source({ id: 'x' }),
      source({ id: 'y' }),
      source({ id: 'x' }),
    ])
    expect(problems).toEqual([
      {
        path: ['sources', 2, 'id'],
        message: 'source id "x" is used twice (sources[0] has it too); ids must be unique',
      },
    ])
  })
})
