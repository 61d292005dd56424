import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  evaluateStories,
  type LabelledSet,
  labelledItems,
  pairwiseScores,
} from '../../src/stories/evaluate.js'
import { storyFeatures } from '../../src/stories/features.js'
import { DEFAULT_THRESHOLD } from '../../src/stories/story-index.js'
import { jaccard } from '../../src/stories/text.js'

const LABELLED = resolve(import.meta.dirname, '../fixtures/stories/labelled.json')
const set = JSON.parse(readFileSync(LABELLED, 'utf8')) as LabelledSet

describe('pairwiseScores', () => {
  const gold = new Map([
    ['a', 's'],
    ['b', 's'],
    ['c', 's'],
    ['d', 't'],
  ])

  it('scores a perfect clustering 1 / 1', () => {
    const predicted = new Map([
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'x'],
      ['d', 'y'],
    ])
    expect(pairwiseScores(gold, predicted)).toEqual({
      precision: 1,
      recall: 1,
      truePairs: 3,
      predictedPairs: 3,
      correctPairs: 3,
    })
  })

  it('counts a wrong merge against precision and a split against recall', () => {
    const predicted = new Map([
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'y'],
      ['d', 'y'],
    ])
    // Predicted pairs: a-b (right), c-d (wrong); labelled pairs a-b, a-c, b-c.
    expect(pairwiseScores(gold, predicted)).toMatchObject({
      precision: 0.5,
      recall: 1 / 3,
      correctPairs: 1,
    })
  })

  it('gives precision 1 when nothing is merged and recall 1 when nothing is labelled', () => {
    const alone = new Map([...gold.keys()].map((id) => [id, id]))
    expect(pairwiseScores(gold, alone)).toMatchObject({ precision: 1, recall: 0 })
    const singletons = new Map([...gold.keys()].map((id) => [id, id]))
    expect(pairwiseScores(singletons, alone)).toMatchObject({ precision: 1, recall: 1 })
  })
})

describe('the labelled story set', () => {
  it('has at least 60 stories and 200 reports, each report of one source per story', () => {
    expect(set.stories.length).toBeGreaterThanOrEqual(60)
    expect(set.stories.flatMap((s) => s.items).length).toBeGreaterThanOrEqual(200)
    for (const story of set.stories) {
      const sources = story.items.map((i) => i.source)
      expect(new Set(sources).size, story.id).toBe(sources.length)
      for (const s of sources) expect(set.sources[s], `${story.id}: ${s}`).toBeDefined()
    }
  })

  it('holds hard negatives: notes name them', () => {
    const hard = set.stories.filter((s) => /negative/.test(s.note ?? ''))
    expect(hard.length).toBeGreaterThanOrEqual(20)
  })

  it('builds complete items, oldest first, fetched after publication', () => {
    const items = labelledItems(set)
    expect(items).toHaveLength(set.stories.flatMap((s) => s.items).length)
    for (let i = 1; i < items.length; i++) {
      expect(items[i - 1]!.fetchedAt <= items[i]!.fetchedAt).toBe(true)
    }
    expect(items[0]!.clusterId).toBe(items[0]!.id)
  })

  it('is clustered with pairwise precision ≥ 0.98 and recall ≥ 0.9', () => {
    const result = evaluateStories(set)
    expect(result.falseMerges).toEqual([])
    expect(result.precision).toBeGreaterThanOrEqual(0.98)
    expect(result.recall).toBeGreaterThanOrEqual(0.9)
    expect(result.missed.length).toBe(result.truePairs - result.correctPairs)
  })

  it('loses no pair to LSH candidate generation compared with a scan of the window', () => {
    const lsh = evaluateStories(set)
    const scan = evaluateStories(set, { lsh: { bands: 1, rows: 0 } })
    expect(lsh.correctPairs).toBeGreaterThanOrEqual(scan.correctPairs - 2)
  })

  it('holds hard negatives that text similarity alone would merge', () => {
    // Pairs of different stories, from different sources within 72 h, whose texts are as similar
    // as the default threshold asks: only the guards keep them apart.
    const items = labelledItems(set)
    const features = items.map((i) => storyFeatures(i.title, i.summary))
    const story = (id: string) => id.slice(0, id.indexOf('/'))
    let similar = 0
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const [a, b] = [items[i]!, items[j]!]
        if (story(a.id) === story(b.id) || a.sourceId === b.sourceId) continue
        if (Math.abs(Date.parse(a.publishedAt) - Date.parse(b.publishedAt)) > 72 * 3_600_000)
          continue
        if (jaccard(features[i]!.keys, features[j]!.keys) >= DEFAULT_THRESHOLD) similar++
      }
    }
    expect(similar).toBeGreaterThanOrEqual(50)
  })
})
