import { describe, expect, it } from 'vitest'
import { compareForLead, explainCluster, storyOf } from '../../src/stories/explain.js'
import { makeItem } from '../helpers/items.js'

const lead = makeItem({
  id: 'a',
  sourceId: 'geo-news',
  title: 'Torkham reopens for trade',
  publishedAt: '2025-11-02T06:00:00.000Z',
  clusterId: 'a',
})
const byUrl = makeItem({
  id: 'b',
  sourceId: 'dawn',
  title: 'Trade resumes at Torkham',
  publishedAt: '2025-11-02T07:00:00.000Z',
  clusterId: 'a',
  clusterReason: { via: 'url', matchedId: 'a' },
})
const similar = makeItem({
  id: 'c',
  sourceId: 'tolonews',
  title: 'Torkham crossing reopens for trade',
  publishedAt: '2025-11-02T05:00:00.000Z',
  clusterId: 'a',
  clusterReason: { via: 'similar', matchedId: 'a', score: 0.62 },
})
const members = [byUrl, lead, similar]
const priorities: Record<string, number> = { dawn: 10, 'geo-news': 6 }
const priorityOf = (s: string) => priorities[s] ?? 0

describe('compareForLead', () => {
  it('orders by priority, then the earliest, then the smallest id', () => {
    expect([...members].sort(compareForLead()).map((m) => m.id)).toEqual(['c', 'a', 'b'])
    expect([...members].sort(compareForLead(priorityOf)).map((m) => m.id)).toEqual(['b', 'a', 'c'])
    const twin = { ...lead, id: '0' }
    expect([lead, twin].sort(compareForLead()).map((m) => m.id)).toEqual(['0', 'a'])
  })
})

describe('storyOf', () => {
  it('gives the story id, its lead and the members, lead first', () => {
    expect(storyOf(byUrl, members, priorityOf)).toEqual({
      id: 'a',
      lead: 'b',
      size: 3,
      members: [
        {
          id: 'b',
          sourceId: 'dawn',
          title: byUrl.title,
          url: byUrl.url,
          publishedAt: byUrl.publishedAt,
          lead: true,
        },
        {
          id: 'a',
          sourceId: 'geo-news',
          title: lead.title,
          url: lead.url,
          publishedAt: lead.publishedAt,
          lead: false,
        },
        {
          id: 'c',
          sourceId: 'tolonews',
          title: similar.title,
          url: similar.url,
          publishedAt: similar.publishedAt,
          lead: false,
        },
      ],
    })
  })

  it('counts the item itself when the store does not list it yet, and ignores other stories', () => {
    const alone = makeItem({ id: 'z', clusterId: 'z' })
    expect(storyOf(alone, [lead])).toMatchObject({ id: 'z', lead: 'z', size: 1 })
  })
})

describe('explainCluster', () => {
  it('says why each member was merged: first report, same URL, similar text with its score', () => {
    const out = explainCluster(similar, members)
    expect(out.storyId).toBe('a')
    expect(out.lead).toBe('c')
    expect(out.summary).toMatch(
      /^similar title and summary to geo-news: “Torkham reopens for trade” \(similarity 0\.62\)/,
    )
    expect(out.members.map((m) => [m.id, m.via])).toEqual([
      ['c', 'similar'],
      ['a', 'first'],
      ['b', 'url'],
    ])
    expect(out.members.find((m) => m.id === 'b')).toMatchObject({
      matchedId: 'a',
      because: 'same canonical URL as geo-news: “Torkham reopens for trade”',
    })
    expect(out.members.find((m) => m.id === 'c')?.score).toBe(0.62)
  })

  it('names a matched item the store no longer holds by its id', () => {
    const orphan = { ...byUrl, clusterReason: { via: 'url' as const, matchedId: 'gone' } }
    expect(explainCluster(orphan, [orphan, lead]).summary).toBe('same canonical URL as item gone')
  })

  it('says so when no other source carries the story', () => {
    const alone = makeItem({ id: 'z', clusterId: 'z' })
    expect(explainCluster(alone, [alone])).toMatchObject({
      summary: 'no other source carries this story',
      members: [{ id: 'z', via: 'first' }],
    })
  })
})
