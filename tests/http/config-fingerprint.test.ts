/** configFingerprint: one fingerprint for every route, changing with what any document shows. */
import { describe, expect, it } from 'vitest'
import { configFingerprint } from '../../src/http/config-fingerprint.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const base = testConfig({
  sources: [makeSource({ id: 'dawn', title: 'Dawn' })],
  topics: [PAK_AFGHAN_TOPIC],
  feeds: [{ id: 'f', title: 'F', topics: [PAK_AFGHAN_TOPIC.id], excludeTopics: [], limit: 5 }],
})

describe('configFingerprint', () => {
  it('is the same for equal configurations and changes with every field a document shows', () => {
    const fp = configFingerprint(base)
    expect(configFingerprint(structuredClone(base))).toBe(fp)
    const changed = [
      { ...base, server: { ...base.server, baseUrl: 'https://news.example.org' } },
      { ...base, server: { ...base.server, feedToken: 't0ken' } },
      { ...base, sources: [makeSource({ id: 'dawn', title: 'Dawn News' })] },
      { ...base, sources: [makeSource({ id: 'dawn', title: 'Dawn', enabled: false })] },
      { ...base, topics: [{ ...PAK_AFGHAN_TOPIC, title: 'Af-Pak' }] },
      ...(['title', 'description', 'limit', 'excludeTopics', 'sources'] as const).map((k) => ({
        ...base,
        feeds: [
          {
            ...base.feeds[0],
            [k]: k === 'limit' ? 9 : k === 'title' || k === 'description' ? 'G' : ['x'],
          },
        ],
      })),
    ]
    for (const config of changed) expect(configFingerprint(config as typeof base)).not.toBe(fp)
  })

  it('does not change with what no document shows (the poll schedule)', () => {
    const fp = configFingerprint(base)
    expect(configFingerprint({ ...base, fetch: { ...base.fetch, every: '1h' } })).toBe(fp)
  })
})
