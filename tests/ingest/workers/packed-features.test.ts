/** Packed story features unpack to exactly the features that were packed, through a transfer as the worker sends them. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { packFeatures, unpackFeatures } from '../../../src/ingest/workers/packed-features.js'
import { storyFeatures } from '../../../src/stories/features.js'

const NEWS = '/work/shared/corpus/news-dev/items.tsv'

/** Title and summary of each labelled news item (read in place). */
const newsItems = (): [string, string][] =>
  readFileSync(NEWS, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cols = l.split('\t')
      return [cols[4] ?? '', cols[5] ?? '']
    })

/** As it reaches the main thread: cloned, the buffer transferred (the sender's copy detached). */
const sent = <T extends { data: Uint32Array }>(packed: T): T =>
  structuredClone(packed, { transfer: [packed.data.buffer as ArrayBuffer] })

describe('packed story features', () => {
  it('unpacks every news-dev item to its own keys, events and facts', () => {
    const features = newsItems().map(([title, summary]) => storyFeatures(title, summary))
    // Not vacuous: many items, some with events and some without.
    expect(features.length).toBeGreaterThan(500)
    expect(features.some((f) => f.events.length > 0)).toBe(true)
    expect(features.some((f) => f.events.length === 0)).toBe(true)
    const packed = packFeatures(features)
    const back = unpackFeatures(sent(packed))
    expect(packed.data.length).toBe(0) // transferred: the worker keeps no copy
    expect(back).toEqual(features)
    back.forEach((f, i) => {
      expect(Array.from(f.keys)).toEqual(Array.from(features[i]!.keys))
      expect(Array.from(f.events)).toEqual(Array.from(features[i]!.events))
    })
  })

  it('keeps one buffer for the whole feed', () => {
    const features = [
      storyFeatures('Torkham reopens after 25 days', 'Trade resumed on Sunday.'),
      storyFeatures('', ''),
      storyFeatures(
        '6.3-magnitude earthquake hits Herat',
        'Hundreds killed in western Afghanistan.',
      ),
    ]
    const back = unpackFeatures(sent(packFeatures(features)))
    expect(back).toHaveLength(3)
    expect(back[1]!.keys.length).toBe(0)
    expect(back[2]!.events.length).toBeGreaterThan(0)
    expect(new Set(back.flatMap((f) => [f.keys.buffer, f.events.buffer])).size).toBe(1)
    expect(Array.from(back[2]!.events)).toEqual(Array.from(features[2]!.events))
    expect(Array.from(back[0]!.keys)).toEqual(Array.from(features[0]!.keys))
  })

  it('packs a feed of no items', () => {
    expect(unpackFeatures(sent(packFeatures([])))).toEqual([])
  })
})
