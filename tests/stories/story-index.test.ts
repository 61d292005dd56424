import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { storyFeatures } from '../../src/stories/features.js'
import {
  createStoryIndex,
  DEFAULT_SAME_SOURCE,
  DEFAULT_THRESHOLD,
  type StoryIndexOptions,
} from '../../src/stories/story-index.js'
import { canonicalUrl } from '../../src/util/url.js'
import { makeItem } from '../helpers/items.js'
import { belowOf } from '../helpers/random.js'

const T0 = Date.parse('2025-11-02T06:00:00.000Z')
const at = (hours: number): string => new Date(T0 + hours * 3_600_000).toISOString()
const NOW = new Date(T0 + 12 * 3_600_000)

/** A report: its own URL per source unless given; fetched 5 minutes after publication. */
const report = (
  sourceId: string,
  hours: number,
  title: string,
  summary = '',
  extra: Partial<Item> = {},
) =>
  makeItem({
    sourceId,
    title,
    summary,
    publishedAt: at(hours),
    fetchedAt: at(hours + 1 / 12),
    ...extra,
  })

const reopens = [
  report(
    'dawn',
    0,
    'Torkham reopens for trade after three-week closure',
    'The Torkham border crossing reopened for trade on Sunday after remaining closed for three weeks, officials said.',
  ),
  report(
    'geo-news',
    1,
    'Torkham Border Reopens For Trade After Three Weeks',
    'The Torkham border reopened for trade on Sunday after three weeks, officials said, as trucks began crossing.',
  ),
  report(
    'pajhwok',
    2,
    'Torkham crossing reopens for trade after three weeks',
    'The Torkham crossing between Afghanistan and Pakistan reopened for trade on Sunday after three weeks of closure.',
  ),
  report(
    'khaama',
    3,
    'Torkham reopens for trade after three weeks of closure',
    'The Torkham crossing has reopened for trade after three weeks of closure, officials said on Sunday.',
  ),
]

describe('createStoryIndex: similar reports', () => {
  it('gives each item its story with the same keys in the same order, a clusterReason only when joined', () => {
    const index = createStoryIndex()
    // One without a clusterReason key, one whose key is there but undefined, one with a stale reason.
    const [first, second, third] = reopens
    const { clusterReason: _none, ...bare } = first!
    const stale = { ...third!, clusterReason: { via: 'url' as const, matchedId: 'gone' } }
    const undef = { ...second!, clusterReason: undefined }
    const out = index.assign([bare, undef, stale], NOW)
    // What {...rest, clusterId[, clusterReason]} gave, rest being the item without its clusterReason.
    const expected = (item: Item, got: Item): Item => {
      const { clusterReason: _old, ...rest } = item
      return got.clusterReason
        ? { ...rest, clusterId: got.clusterId, clusterReason: got.clusterReason }
        : { ...rest, clusterId: got.clusterId }
    }
    expect(out[1]!.clusterReason?.via).toBe('similar')
    expect(out[2]!.clusterReason?.via).toBe('similar')
    for (const [k, item] of [bare, undef, stale].entries()) {
      const got = out[k]!
      expect(Object.keys(got)).toEqual(Object.keys(expected(item, got)))
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected(item, got)))
    }
    expect(Object.hasOwn(out[0]!, 'clusterReason')).toBe(false)
  })
  it('copies an arrival that joins a story as {...item, clusterId, clusterReason} did, whatever keys it has', () => {
    const below = belowOf(20)
    for (let round = 0; round < 40; round++) {
      const index = createStoryIndex()
      // Reports without a clusterReason key, some optional keys left out, in a random order.
      const batch = reopens.map((r) => {
        const { clusterReason: _none, ...item } = r
        for (const k of ['author', 'guid', 'language', 'contentHtml'] as const)
          if (below(2) === 0) delete item[k]
        return item as Item
      })
      for (let k = batch.length - 1; k > 0; k--) {
        const j = below(k + 1)
        ;[batch[k], batch[j]] = [batch[j]!, batch[k]!]
      }
      const out = index.assign(batch, NOW)
      expect(out.filter((i) => i.clusterReason).length).toBe(batch.length - 1)
      for (const [k, item] of batch.entries()) {
        const got = out[k]!
        const spread = got.clusterReason
          ? { ...item, clusterId: got.clusterId, clusterReason: got.clusterReason }
          : { ...item, clusterId: got.clusterId }
        expect(Object.keys(got)).toEqual(Object.keys(spread))
        expect(JSON.stringify(got)).toBe(JSON.stringify(spread))
      }
    }
  })
  it('puts reports of one event in one story, explaining each merge', () => {
    const index = createStoryIndex()
    const [first, ...rest] = index.assign(reopens, NOW)
    expect(first?.clusterId).toBe(reopens[0]!.id)
    expect(first?.clusterReason).toBeUndefined()
    for (const item of rest) {
      expect(item.clusterId).toBe(reopens[0]!.id)
      expect(item.clusterReason).toMatchObject({ via: 'similar' })
      // Frozen: the store keeps the very object the index holds (store/memory.ts).
      expect(Object.isFrozen(item.clusterReason)).toBe(true)
      expect(item.clusterReason?.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD)
      expect(item.clusterReason?.score).toBeLessThanOrEqual(1)
    }
  })

  it('assigns the same stories with features computed elsewhere (a worker) and cloned', () => {
    const given = reopens.map((r) => structuredClone(storyFeatures(r.title, r.summary ?? '')))
    const mixed = [...reopens, report('tolo', 4, 'Budget passed in Kabul', 'No trade news.')]
    const features = [...given, structuredClone(storyFeatures(mixed[4]!.title, mixed[4]!.summary))]
    expect(createStoryIndex().assign(mixed, NOW, undefined, features)).toEqual(
      createStoryIndex().assign(mixed, NOW),
    )
  })

  it('keeps the story id when a fourth outlet arrives later, and every stored item its story', () => {
    const index = createStoryIndex()
    const three = index.assign(reopens.slice(0, 3), NOW)
    const storyId = three[0]!.clusterId
    // The next poll brings the three again (unchanged) and a fourth outlet's report.
    const later = new Date(NOW.getTime() + 3_600_000)
    const again = index.assign([...reopens.slice(0, 3), reopens[3]!], later)
    expect(again.map((i) => i.clusterId)).toEqual([storyId, storyId, storyId, storyId])
    expect(again.slice(0, 3).map((i) => i.clusterReason)).toEqual(three.map((i) => i.clusterReason))
  })

  it('keeps a story apart from a follow-up that contradicts it, and from another crossing', () => {
    const index = createStoryIndex()
    const [open] = index.assign([reopens[0]!], NOW)
    const [chaman, closed] = index.assign(
      [
        report(
          'the-news',
          4,
          'Chaman border reopens for trade after three weeks',
          'The Chaman border crossing reopened for trade on Sunday after three weeks, officials in Balochistan said.',
        ),
        report(
          'geo-news',
          10,
          'Torkham border closed again after firing',
          'The Torkham border was closed again on Sunday after firing between forces, hours after it reopened for trade.',
        ),
      ],
      NOW,
    )
    expect(new Set([open!.clusterId, chaman!.clusterId, closed!.clusterId]).size).toBe(3)
  })

  it("holds a source's own second report to a stricter bar than another outlet's", () => {
    // One pair of texts, above the threshold for two outlets, below the bar for one outlet's
    // second piece (an outlet seldom files the same development twice in other words).
    const a = report(
      'dawn',
      0,
      'Torkham reopens for trade after three weeks',
      'Trade resumed on Sunday at the crossing.',
    )
    const b = (source: string) =>
      report(
        source,
        1,
        'Trucks cross Torkham again as trade resumes',
        'The crossing reopened on Sunday, traders said.',
      )
    const [, other] = createStoryIndex().assign([a, b('geo-news')], NOW)
    const [, own] = createStoryIndex().assign([a, b('dawn')], NOW)
    expect(other!.clusterId).toBe(a.id)
    expect(own!.clusterId).not.toBe(a.id)
    expect(other!.clusterReason!.score!).toBeLessThan(DEFAULT_SAME_SOURCE)
  })

  it("lets a source's near-copy of its own report join that report's story", () => {
    const index = createStoryIndex()
    index.assign(reopens.slice(0, 2), NOW)
    const geoAgain = report('geo-news', 2, reopens[1]!.title, reopens[1]!.summary)
    const [out] = index.assign([geoAgain], NOW)
    expect(out!.clusterId).toBe(reopens[0]!.clusterId)
  })
})

describe('createStoryIndex: canonical URLs', () => {
  it('joins the earliest report of the same canonical URL, whatever the text (AMP and tracking folded)', () => {
    const index = createStoryIndex()
    const url = 'https://apnews.example/article/afghan-migrants-crash-4f2a9c'
    const wire = report('ap-world', 0, 'Truck carrying Afghan migrants crashes in Iran', '', {
      url,
      canonicalUrl: canonicalUrl(url),
    })
    const ampUrl = 'https://amp.apnews.example/article/afghan-migrants-crash-4f2a9c?utm_source=rss'
    const copy = report('arab-news', 1, 'Fourteen die on Iranian road', '', {
      url: ampUrl,
      canonicalUrl: canonicalUrl(ampUrl),
    })
    const [, joined] = index.assign([wire, copy], NOW)
    expect(joined).toMatchObject({
      clusterId: wire.id,
      clusterReason: { via: 'url', matchedId: wire.id },
    })
  })

  it('treats the same source and URL under a new id as the stored item (its story and reason)', () => {
    const index = createStoryIndex()
    const [, b] = index.assign(reopens.slice(0, 2), NOW)
    const renamed = { ...reopens[1]!, id: 'new-guid-same-url', clusterId: 'new-guid-same-url' }
    const [out] = index.assign([renamed], NOW)
    expect(out).toMatchObject({ clusterId: b!.clusterId, clusterReason: b!.clusterReason })
    expect(index.has('new-guid-same-url')).toBe(false)
  })

  it('does not merge on a site root, which feeds use as a fallback link', () => {
    const index = createStoryIndex()
    const a = report('s1', 0, 'Cricket scores', '', { canonicalUrl: 'https://example.org/' })
    const b = report('s2', 0, 'Gold prices today', '', { canonicalUrl: 'https://example.org/' })
    const [x, y] = index.assign([a, b], NOW)
    expect(x!.clusterId).not.toBe(y!.clusterId)
  })
})

describe('createStoryIndex: window and stored items', () => {
  it('lets no report join a story published more than the window before it', () => {
    const index = createStoryIndex({ windowMs: 6 * 3_600_000 })
    const old = reopens[0]!
    index.assign([old], new Date(T0))
    const late = { ...reopens[1]!, publishedAt: at(7), fetchedAt: at(7.1) }
    const [out] = index.assign([late], new Date(T0 + 7.2 * 3_600_000))
    expect(out!.clusterId).toBe(late.id)
    // The sweep dropped the old report.
    expect(index.has(old.id)).toBe(false)
  })

  it('neither indexes nor joins a report published before the window', () => {
    const index = createStoryIndex({ windowMs: 6 * 3_600_000 })
    index.assign([reopens[0]!], NOW)
    const stale = { ...reopens[1]!, publishedAt: at(-10) }
    const [out] = index.assign([stale], NOW)
    expect(out!.clusterId).toBe(stale.id)
    expect(index.has(stale.id)).toBe(false)
  })

  it('raises the bar with the time between two reports', () => {
    // Same pair, close in time: merged; two days apart: the follow-up bar is higher.
    const a = report(
      'dawn',
      0,
      'Schools in Lahore closed as smog worsens',
      'Punjab closed schools in Lahore.',
    )
    const b = (hours: number) =>
      report(
        'geo-news',
        hours,
        'Lahore schools closed as smog chokes city',
        'Schools closed in Lahore.',
      )
    const near = createStoryIndex().assign([a, b(1)], new Date(T0 + 2 * 3_600_000))
    const far = createStoryIndex().assign([a, b(50)], new Date(T0 + 51 * 3_600_000))
    expect(near[1]!.clusterId).toBe(a.id)
    expect(far[1]!.clusterId).not.toBe(a.id)
  })

  it('keeps the story of an item the store holds but the index does not', () => {
    const index = createStoryIndex()
    const stored = { ...reopens[2]!, clusterId: 'story-from-last-week', clusterReason: undefined }
    const [out] = index.assign([{ ...reopens[2]!, clusterId: reopens[2]!.id }], NOW, (id) =>
      id === stored.id ? stored : undefined,
    )
    expect(out!.clusterId).toBe('story-from-last-week')
    expect(out!.clusterReason).toBeUndefined()
  })

  it('re-indexes a changed text under the same story', () => {
    const index = createStoryIndex()
    const [a, b] = index.assign(reopens.slice(0, 2), NOW)
    const edited = { ...reopens[1]!, title: `${reopens[1]!.title} (updated)` }
    const [out] = index.assign([edited], NOW)
    expect(out).toMatchObject({ clusterId: a!.clusterId, clusterReason: b!.clusterReason })
  })

  it('seeds from stored items with their stories, and removes them', () => {
    const index = createStoryIndex()
    const seeded = { ...reopens[0]!, clusterId: 'seeded-story' }
    index.add(seeded)
    expect(index.size).toBe(1)
    const [out] = index.assign([reopens[1]!], NOW)
    expect(out!.clusterId).toBe('seeded-story')
    expect(index.remove(seeded.id)).toBe(true)
    expect(index.remove(seeded.id)).toBe(false)
    expect(index.stats()).toMatchObject({ size: 1, assigned: 1 })
    expect(index.stats().candidates).toBeGreaterThanOrEqual(1)
    // The story it joined was scored: a join is never made on the bounds alone.
    expect(index.stats().scored).toBeGreaterThanOrEqual(1)
    expect(index.stats().scored).toBeLessThanOrEqual(index.stats().candidates)
  })

  it('takes back what the reports that joined a story counted when they leave, no more and no less', () => {
    // The joiners were fetched before the report they joined, so they leave the window first.
    const [lead, ...joiners] = reopens.map((r, k) =>
      k === 0 ? { ...r, fetchedAt: at(10) } : { ...r, fetchedAt: at(k / 12) },
    )
    const later = new Date(T0 + 77 * 3_600_000)
    const probe = report(
      'tolo',
      4,
      'Trade resumes at Torkham as border reopens after three weeks',
      'Trucks crossed Torkham on Sunday as the border reopened for trade after three weeks.',
      { fetchedAt: later.toISOString() },
    )
    const a = createStoryIndex()
    const assigned = a.assign([lead!, ...joiners], NOW)
    expect(assigned.slice(1).every((i) => i.clusterId === lead!.id)).toBe(true)
    expect(a.evict(later)).toBe(joiners.length)
    const b = createStoryIndex()
    b.assign([lead!], NOW)
    // The same document frequencies as an index that only ever held the lead: the same score.
    expect(a.assign([probe], later)).toEqual(b.assign([probe], later))
  })

  it('evicts what fell out of the window and reports how many', () => {
    const index = createStoryIndex({ windowMs: 3_600_000 })
    for (const item of reopens) index.add(item)
    expect(index.evict(new Date(T0 + 2.5 * 3_600_000))).toBe(2)
    expect(index.size).toBe(2)
  })
})

describe('the window follows fetch time', () => {
  it('clusters copies of an old article fetched today, and evicts by fetch time', () => {
    const now = new Date('2026-11-20T12:00:00.000Z')
    const old = '2026-03-10T09:00:00.000Z' // months before now: a demo or a late-syndicated story
    const first = makeItem({
      id: 'a',
      sourceId: 'pk-daily',
      canonicalUrl: 'https://pkdaily.example/news/torkham-reopens',
      publishedAt: old,
      fetchedAt: now.toISOString(),
    })
    const copy = makeItem({
      id: 'b',
      sourceId: 'wire',
      canonicalUrl: 'https://pkdaily.example/news/torkham-reopens',
      publishedAt: old,
      fetchedAt: now.toISOString(),
    })
    const index = createStoryIndex()
    const [, joined] = index.assign([first, copy], now)
    expect(joined).toMatchObject({ clusterId: 'a', clusterReason: { via: 'url', matchedId: 'a' } })
    expect(Object.isFrozen(joined?.clusterReason)).toBe(true)
    expect(index.evict(new Date(now.getTime() + 71 * 3_600_000))).toBe(0)
    expect(index.evict(new Date(now.getTime() + 73 * 3_600_000))).toBe(2)
  })
})

describe('crowded buckets', () => {
  it('scores a bounded number of candidates per arrival when many texts share most words', () => {
    const now = new Date('2026-11-20T12:00:00.000Z')
    const index = createStoryIndex()
    // Template items from many outlets: the same words, a different figure each time.
    const items = Array.from({ length: 2_000 }, (_, n) =>
      makeItem({
        id: `t${n}`,
        sourceId: `outlet-${n % 40}`,
        title: `Weather update for Kabul and Islamabad: rain expected, ${n} mm forecast`,
        summary: `Forecasters expect rain in Kabul and Islamabad; ${n} mm forecast for the week.`,
        canonicalUrl: `https://outlet-${n % 40}.example/weather/${n}`,
        publishedAt: now.toISOString(),
        fetchedAt: now.toISOString(),
      }),
    )
    index.assign(items, now)
    const { candidates, scored, assigned } = index.stats()
    expect(assigned).toBe(2_000)
    expect(candidates / assigned).toBeLessThanOrEqual(256)
    expect(scored).toBeLessThanOrEqual(candidates)
    // The figures differ, so none of these may be merged.
    expect(new Set(index.assign(items, now).map((i) => i.clusterId)).size).toBe(2_000)
  })

  it.each([1, 3, 20, Number.POSITIVE_INFINITY])(
    'looks at %d candidates of an arrival at most, the rest at once',
    (maxCandidates) => {
      const now = new Date('2026-11-20T12:00:00.000Z')
      const index = createStoryIndex({ maxCandidates })
      const looked: number[] = []
      // Fewer than 50: past that, their shared words are too common to sign with.
      for (let n = 0; n < 45; n++) {
        const before = index.stats().candidates
        index.assign(
          [
            makeItem({
              id: `t${n}`,
              sourceId: `outlet-${n}`,
              title: `Weather update for Kabul and Islamabad: rain expected, ${n} mm forecast`,
              summary: `Forecasters expect rain in Kabul and Islamabad; ${n} mm forecast for the week.`,
              publishedAt: now.toISOString(),
              fetchedAt: now.toISOString(),
            }),
          ],
          now,
        )
        looked.push(index.stats().candidates - before)
      }
      // Each arrival shares buckets with every report before it: it looks at all of them, up to the cap.
      expect(looked).toEqual(looked.map((_, n) => Math.min(n, maxCandidates)))
    },
  )
})

describe('createStoryIndex: corroboration and the UTC day', () => {
  const THRESHOLDS = Array.from({ length: 50 }, (_, i) => 0.1 + i / 200)
  const DAY2 = Date.parse('2025-11-03T00:00:00.000Z')
  const item = (sourceId: string, t: number, title: string, summary: string) =>
    makeItem({
      sourceId,
      title,
      summary,
      publishedAt: new Date(t).toISOString(),
      fetchedAt: new Date(t + 60_000).toISOString(),
    })
  const quake = (sourceId: string, t: number) =>
    item(
      sourceId,
      t,
      'Powerful earthquake strikes Morocco, damaging buildings in Marrakesh',
      'A powerful earthquake struck Morocco late on Friday, damaging buildings in Marrakesh and sending people into the streets.',
    )
  const quake2 = (sourceId: string, t: number) =>
    item(
      sourceId,
      t,
      'Strong quake hits Morocco near Marrakesh, residents flee homes',
      'Residents of Marrakesh fled their homes after a strong quake hit Morocco on Friday night.',
    )
  const angle = (t: number) =>
    item(
      'nbc',
      t,
      'Footage shows ruins in Marrakesh after quake',
      'Videos from Marrakesh show the destruction after the earthquake in Morocco.',
    )
  const filler = Array.from({ length: 30 }, (_, i) =>
    item(`f${i % 5}`, T0 - 3_600_000, `Cricket board meeting ${i} on budget`, `Item ${i}`),
  )
  /** Whether the angle piece joins the story of the reports before it. */
  const joins = (stored: Item[], newcomer: Item, opts: StoryIndexOptions): boolean => {
    // Without event keys: the quake reports share one (quake@morocco), which is another test.
    const index = createStoryIndex({
      lsh: { bands: 1, rows: 0 },
      event: 1,
      eventDay: false,
      ...opts,
    })
    for (const i of [...filler, ...stored]) index.add(i)
    const [out] = index.assign([newcomer], new Date(Date.parse(newcomer.fetchedAt) + 60_000))
    return out?.clusterId === 'story'
  }

  it('lets a report join a story two of whose members it is nearly close enough to', () => {
    const members = [
      { ...quake('abc', T0), clusterId: 'story' },
      { ...quake2('sky', T0 + 600_000), clusterId: 'story' },
    ]
    const newcomer = angle(T0 + 3_600_000)
    let helped = 0
    for (const threshold of THRESHOLDS) {
      const alone = joins(members, newcomer, { threshold, support: 1 })
      const corroborated = joins(members, newcomer, { threshold, support: 0.9 })
      // Corroboration only adds: what joins without it joins with it.
      if (alone) expect(corroborated).toBe(true)
      if (corroborated && !alone) helped++
      // One member is no corroboration.
      expect(joins(members.slice(0, 1), newcomer, { threshold, support: 0.9 })).toBe(
        joins(members.slice(0, 1), newcomer, { threshold, support: 1 }),
      )
    }
    expect(helped).toBeGreaterThan(0)
  })

  it('counts no corroboration across two stories, whichever left the index before', () => {
    const newcomer = angle(T0 + 3_600_000)
    let checked = 0
    for (const threshold of THRESHOLDS) {
      const opts = { threshold, support: 0.9 }
      const together = [
        { ...quake('abc', T0), clusterId: 'story' },
        { ...quake2('sky', T0 + 600_000), clusterId: 'story' },
      ]
      // Where only corroboration makes the newcomer join one story of the two reports:
      if (!joins(together, newcomer, opts) || joins(together, newcomer, { threshold, support: 1 }))
        continue
      checked++
      const index = createStoryIndex({
        lsh: { bands: 1, rows: 0 },
        event: 1,
        eventDay: false,
        ...opts,
      })
      for (const i of filler) index.add(i)
      // A story that lost a member but keeps one, stories that left whole, then the second story.
      const one = { ...together[0]!, clusterId: 'one' }
      const oneGone = { ...filler[0]!, id: 'one-gone', clusterId: 'one' }
      const left = [1, 2].map((k) => ({ ...filler[k]!, id: `left-${k}`, clusterId: `left-${k}` }))
      for (const i of [one, oneGone, ...left]) index.add(i)
      for (const i of [...left, oneGone]) index.remove(i.id)
      index.add({ ...together[1]!, clusterId: 'two' })
      const [out] = index.assign([newcomer], new Date(Date.parse(newcomer.fetchedAt) + 60_000))
      // Each story has one report near the bar: the newcomer starts its own.
      expect(out!.clusterId).toBe(newcomer.id)
    }
    expect(checked).toBeGreaterThan(0)
  })

  it('asks more of two reports published on different UTC days than of two as far apart on one', () => {
    const sameDay = [{ ...quake('abc', DAY2 - 5 * 3_600_000), clusterId: 'story' }]
    const crossDay = [{ ...quake('abc', DAY2 - 3_600_000), clusterId: 'story' }]
    let apart = 0
    for (const threshold of THRESHOLDS) {
      const opts = { threshold, support: 1, crossDay: 0.15 }
      // Two hours apart either way: 21:00 → 23:00 on one day, 23:00 → 01:00 across midnight.
      const one = joins(sameDay, quake2('sky', DAY2 - 3 * 3_600_000), opts)
      const two = joins(crossDay, quake2('sky', DAY2 + 3_600_000), opts)
      if (two) expect(one).toBe(true)
      if (one && !two) apart++
      // Without the term, the day makes no difference.
      expect(joins(crossDay, quake2('sky', DAY2 + 3_600_000), { ...opts, crossDay: 0 })).toBe(one)
    }
    expect(apart).toBeGreaterThan(0)
  })
})

/** An item of the UTC day starting at `day`, published `hours` after its midnight, fetched a minute later. */
const itemOfDay =
  (day: number) =>
  (id: string, sourceId: string, hours: number, title: string, summary = '') =>
    makeItem({
      id,
      sourceId,
      title,
      summary,
      publishedAt: new Date(day + hours * 3_600_000).toISOString(),
      fetchedAt: new Date(day + hours * 3_600_000 + 60_000).toISOString(),
    })

/** Forty reports of an unrelated story of that day, so that the day's own words are not all rare. */
const cricketFiller = (item: ReturnType<typeof itemOfDay>) =>
  Array.from({ length: 40 }, (_, i) =>
    item(`f${i}`, `f${i % 5}`, 1, `Cricket board meeting ${i} on budget for Lahore stadium`),
  )

describe('createStoryIndex: one disaster, one day', () => {
  const DAY = Date.parse('2025-11-02T00:00:00.000Z')
  const item = itemOfDay(DAY)
  const filler = cricketFiller(item)
  const first = () => [
    item('a', 'abc', 8, 'Strong earthquake hits Morocco, buildings collapse in Marrakesh'),
    item('b', 'sky', 9, 'Powerful quake strikes Morocco near Marrakesh, hundreds dead'),
  ]
  /** The story the last item gets, after the others were assigned in order. */
  const storyOf = (items: Item[], opts: StoryIndexOptions = {}) => {
    const index = createStoryIndex(opts)
    const out = index.assign([...filler, ...items], new Date(DAY + 30 * 3_600_000))
    return { last: out.at(-1)!.clusterId, first: out.at(-items.length)!.clusterId }
  }

  it("joins a report that shares the disaster's kind and place, though few of its words", () => {
    const late = item('c', 'bbc', 14, 'Morocco: rescuers search rubble as tremor toll passes 600')
    let helped = 0
    for (const threshold of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]) {
      const joined = storyOf([...first(), late], { threshold })
      const without = storyOf([...first(), late], { threshold, event: 1, eventDay: false })
      // The event key only lowers the bar: what joins without it joins with it.
      if (without.last === without.first) expect(joined.last).toBe(joined.first)
      if (joined.last === joined.first && without.last !== without.first) helped++
    }
    expect(helped).toBeGreaterThan(0)
    const byDefault = storyOf([...first(), late])
    expect(byDefault.last).toBe(byDefault.first)
  })

  it("joins across languages: a Polish report of the day's earthquake", () => {
    const polish = item('p', 'tvn24', 15, 'Trzęsienie ziemi w Maroku. Zginęło ponad 600 osób')
    const joined = storyOf([...first(), polish])
    expect(joined.last).toBe(joined.first)
  })

  it("lets an outlet's second clip of the day's disaster join it, but not another day's", () => {
    // One outlet files several pieces of a disaster's day (a clip, a gallery): on the event key
    // they join the day's story like another outlet's reports; without it, the same-source bar.
    const clip = item('v', 'abc', 13, 'Video: quake damage to buildings in Marrakesh, Morocco')
    const [a] = first()
    const joined = storyOf([a!, clip])
    expect(joined.last).toBe(joined.first)
    const strict = storyOf([a!, clip], { eventDay: false })
    expect(strict.last).not.toBe(strict.first)
    const nextDay = item('w', 'abc', 27, clip.title)
    const later = storyOf([a!, nextDay])
    expect(later.last).not.toBe(later.first)
  })

  it("keeps a late copy of the evening's toll report in the day's story, not a new figure", () => {
    const evening = [
      item(
        'x',
        'abc',
        20,
        'Bus crash kills 40 in Pakistan',
        'The bus fell into a ravine in Lasbela.',
      ),
    ]
    const copy = (
      hours: number,
      title = 'Passenger bus plunges off bridge in Pakistan, killing 40',
    ) => item('y', 'epoch', hours, title, 'Police said the vehicle caught fire.')
    // 03:00 the next morning: held to the same-day bar, it joins.
    const joined = storyOf([...evening, copy(27)])
    expect(joined.last).toBe(joined.first)
    // The same texts are too far apart across midnight without the late-copy bar, or after noon.
    const strict = storyOf([...evening, copy(27)], { lateMs: 0 })
    expect(strict.last).not.toBe(strict.first)
    const afternoon = storyOf([...evening, copy(37)])
    expect(afternoon.last).not.toBe(afternoon.first)
    // A figure the evening did not give is the new day's news.
    const toll = storyOf([
      ...evening,
      copy(27, 'Passenger bus plunges off bridge in Pakistan, killing 40 and injuring 12'),
    ])
    expect(toll.last).not.toBe(toll.first)
  })

  it('gives no late-copy bar to a report without deaths (a saga day is its own story)', () => {
    const evening = [
      item(
        'x',
        'abc',
        20,
        'Bus drivers strike in Pakistan',
        'The buses stood at a ravine in Lasbela.',
      ),
    ]
    const next = (hours: number) =>
      item(
        'y',
        'epoch',
        hours,
        'Passenger bus drivers strike at bridge in Pakistan',
        'Police said the drivers blocked the road.',
      )
    // Close enough on one day (23:00), not at 03:00 the next: only a report of deaths is copied late.
    const sameDay = storyOf([...evening, next(23)])
    expect(sameDay.last).toBe(sameDay.first)
    const nextDay = storyOf([...evening, next(27)])
    expect(nextDay.last).not.toBe(nextDay.first)
  })

  it("keeps the next day's reports, and reactions, out of the day's story", () => {
    const nextDay = item(
      'd',
      'bbc',
      26,
      'Morocco: rescuers search rubble as tremor toll passes 2,000',
    )
    const next = storyOf([...first(), nextDay])
    expect(next.last).not.toBe(next.first)
    const reaction = item('e', 'cnn', 12, 'World leaders send condolences to Morocco after quake')
    const react = storyOf([...first(), reaction])
    expect(react.last).not.toBe(react.first)
  })
})

describe('createStoryIndex: a fresh disaster day joins on its event key alone', () => {
  const DAY = Date.parse('2025-11-02T00:00:00.000Z')
  const item = itemOfDay(DAY)
  const filler = Array.from({ length: 40 }, (_, i) =>
    item(`f${i}`, `f${i % 5}`, 0.5, `Cricket board meeting ${i} on budget for Lahore stadium`),
  )
  const onset = item('a', 'abc', 1, 'Strong earthquake hits Morocco, buildings collapse')
  /** Angles of the day that share little but the quake and the country with the onset report. */
  const angles = (hours: number) => [
    item('g1', 'bbc', hours, 'Morocco earthquake: villagers sleep outdoors in the cold'),
    item(
      'g2',
      'guardian',
      hours + 1,
      'Tourists describe terror as Moroccan quake shook their hotel',
    ),
  ]
  /**
   * Story of each item, after all were assigned in order. A high bar: what joins, joins on the
   * key, not on the words the short fixtures share.
   */
  const stories = (items: Item[], opts: StoryIndexOptions = {}) => {
    const out = createStoryIndex({ threshold: 0.6, ...opts }).assign(
      [...filler, ...items],
      new Date(DAY + 40 * 3_600_000),
    )
    return new Map(out.map((i) => [i.id, i.clusterId]))
  }

  it("puts the day's angles with its first report, and the next day's with each other", () => {
    const day1 = stories([onset, ...angles(5)])
    expect(day1.get('g1')).toBe(day1.get('a'))
    expect(day1.get('g2')).toBe(day1.get('a'))
    // Without the day's join they are not close enough.
    const strict = stories([onset, ...angles(5)], { eventDay: false })
    expect(strict.get('g1')).not.toBe(strict.get('a'))
    // The next day is its own story: its angles join one another, not the first day's.
    const day2 = stories([onset, ...angles(26)])
    expect(day2.get('g1')).not.toBe(day2.get('a'))
    expect(day2.get('g2')).toBe(day2.get('g1'))
    // Two days on, the disaster is not fresh: the angles are scored by their words again.
    const day3 = stories([onset, ...angles(50)].map((i) => ({ ...i })))
    expect(day3.get('g2')).not.toBe(day3.get('g1'))
  })

  it('does not join angles on the key when the coverage began with an earlier event', () => {
    // The window's first report of the key is an aftermath piece (an older quake): not fresh.
    const aftermath = item('o', 'abc', 1, 'Morocco earthquake victims still wait for new homes')
    const out = stories([aftermath, ...angles(5)])
    expect(out.get('g1')).not.toBe(out.get('o'))
    expect(out.get('g2')).not.toBe(out.get('g1'))
  })

  it('keeps another quake of a later day apart from the day before’s, and reactions apart', () => {
    const again = item(
      'n',
      'sky',
      27,
      'Another earthquake hits Morocco as villagers sleep outdoors',
    )
    const next = item('m', 'bbc', 26, 'Morocco earthquake: rescuers reach mountain villages')
    const out = stories([onset, next, again])
    expect(out.get('n')).not.toBe(out.get('m'))
    // A reaction repeats the report's words but is another story; two reactions are one.
    const react = item('r', 'aj', 4, 'World leaders react as strong earthquake hits Morocco')
    const react2 = item('s', 'lm', 5, 'World leaders react to strong earthquake in Morocco')
    const watch = item('w', 'fox', 4, 'World leaders watch as strong earthquake hits Morocco')
    const reactions = stories([onset, react, react2, watch], { threshold: DEFAULT_THRESHOLD })
    expect(reactions.get('r')).not.toBe(reactions.get('a'))
    expect(reactions.get('s')).toBe(reactions.get('r'))
    // The same words without the reaction: a report of the day, in its story.
    expect(reactions.get('w')).toBe(reactions.get('a'))
  })
})

describe("createStoryIndex: one person's development on one day", () => {
  const DAY = Date.parse('2025-11-02T00:00:00.000Z')
  const item = itemOfDay(DAY)
  const filler = cricketFiller(item)
  const bail = item(
    'a',
    'sky',
    10,
    'Former Pakistan prime minister Imran Khan to be released on bail',
    'A court in Islamabad has ordered the release of Imran Khan.',
  )
  /** Whether the last item joins the first's story, after all were assigned in order. */
  const joins = (items: Item[], opts: StoryIndexOptions = {}): boolean => {
    const out = createStoryIndex(opts).assign([...filler, ...items], new Date(DAY + 40 * 3_600_000))
    return out.at(-1)!.clusterId === out.at(-items.length)!.clusterId
  }

  it('joins a report of the same development that shares few words, on its day only', () => {
    const other = item(
      'b',
      'aljazeera',
      11,
      'Ex-Pakistan PM Khan gets two-week bail from court',
      'Imran Khan walked out after judges heard his plea.',
    )
    let helped = 0
    for (const threshold of [0.2, 0.25, 0.3, 0.35, 0.4]) {
      const on = joins([bail, other], { threshold })
      const off = joins([bail, other], { threshold, actor: 1 })
      // The key only lowers the bar: what joins without it joins with it.
      if (off) expect(on).toBe(true)
      if (on && !off) helped++
    }
    expect(helped).toBeGreaterThan(0)
    expect(joins([bail, other])).toBe(true)
    // The next UTC day's report of bail is not joined by the key.
    const nextDay = { ...other, publishedAt: new Date(DAY + 35 * 3_600_000).toISOString() }
    expect(joins([bail, { ...nextDay, fetchedAt: nextDay.publishedAt }], { threshold: 0.3 })).toBe(
      joins([bail, { ...nextDay, fetchedAt: nextDay.publishedAt }], { threshold: 0.3, actor: 1 }),
    )
  })

  it("keeps other developments of the person's day apart: protests, the supporters' arrest", () => {
    const protests = item(
      'c',
      'aljazeera',
      11,
      'Imran Khan release on bail sparks protests in Pakistan',
      'Imran Khan supporters took to the streets.',
    )
    expect(joins([bail, protests])).toBe(false)
    const arrest = item(
      'd',
      'dawn',
      9,
      'Imran Khan arrested again in Islamabad',
      'Imran Khan was detained.',
    )
    const freed = item('e', 'geo', 11, 'Imran Khan released in Islamabad', 'Imran Khan was freed.')
    expect(joins([arrest, freed])).toBe(false)
  })
})
