import { describe, expect, it } from 'vitest'
import { assignClusters } from '../../src/ingest/cluster.js'
import { makeItem } from '../helpers/items.js'

describe('assignClusters', () => {
  it('joins an item to the cluster of a stored item with the same canonical URL', () => {
    const stored = makeItem({
      id: 'a',
      sourceId: 'dawn',
      canonicalUrl: 'https://x.test/story',
      clusterId: 'a',
    })
    const incoming = makeItem({
      id: 'b',
      sourceId: 'wire',
      canonicalUrl: 'https://x.test/story',
      clusterId: 'b',
    })
    const [out] = assignClusters([incoming], [stored])
    expect(out?.clusterId).toBe('a')
  })

  it('keeps a stored item in its cluster even if an earlier copy appears later', () => {
    const stored = makeItem({
      id: 'b',
      canonicalUrl: 'https://x.test/s',
      clusterId: 'b',
      publishedAt: '2026-11-20T10:00:00.000Z',
    })
    const earlier = makeItem({
      id: 'a',
      canonicalUrl: 'https://x.test/s',
      clusterId: 'a',
      publishedAt: '2026-11-20T09:00:00.000Z',
    })
    const out = assignClusters([stored, earlier], [stored])
    expect(out.map((i) => i.clusterId)).toEqual(['b', 'b'])
  })

  it('clusters copies within one batch and leaves different URLs alone', () => {
    const one = makeItem({
      id: 'a',
      sourceId: 's1',
      canonicalUrl: 'https://x.test/1',
      clusterId: 'a',
    })
    const two = makeItem({
      id: 'b',
      sourceId: 's2',
      canonicalUrl: 'https://x.test/1',
      clusterId: 'b',
    })
    const other = makeItem({
      id: 'c',
      sourceId: 's2',
      canonicalUrl: 'https://x.test/2',
      clusterId: 'c',
    })
    const noUrl = makeItem({ id: 'd', canonicalUrl: undefined, clusterId: 'd' })
    expect(assignClusters([one, two, other, noUrl], []).map((i) => i.clusterId)).toEqual([
      'a',
      'a',
      'c',
      'd',
    ])
  })
})
