/**
 * learnHistory: a topic's model is a function of its verdict history alone (a full retrain every
 * RETRAIN_EVERY verdicts, incremental steps between), so learning verdict by verdict with a cache
 * lands on the very model a cold start learns; a step moves the model towards the new verdict.
 */
import { describe, expect, it } from 'vitest'
import type { Verdict } from '../../src/model/types.js'
import { itemFeatures, scoreWithModel } from '../../src/topics/classifier.js'
import {
  checkpointOf,
  createHistoryCache,
  learnHistory,
  RETRAIN_EVERY,
} from '../../src/topics/learn-history.js'

const TOPIC = 'pa'

/** Written headlines: border talks in, disasters out (one in four in), at a minute apart. */
const verdict = (i: number, over: Partial<Verdict> = {}): Verdict => {
  const isIn = i % 4 === 0
  return {
    topicId: TOPIC,
    itemId: `item-${String(i).padStart(4, '0')}`,
    in: isIn,
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    title: isIn
      ? `Pakistan and Afghanistan envoys talk about the border, round ${i % 7}`
      : `Storm number ${i % 9} floods towns in Pakistan and Afghanistan`,
    summary: isIn ? 'Islamabad and Kabul met at Torkham.' : 'Rescuers reached the valley.',
    ...over,
  }
}
const history = (n: number) => Array.from({ length: n }, (_, i) => verdict(i))

describe('learnHistory', () => {
  it('retrains at each multiple of RETRAIN_EVERY and steps in between', () => {
    expect(checkpointOf(5)).toBe(5)
    expect(checkpointOf(RETRAIN_EVERY)).toBe(RETRAIN_EVERY)
    expect(checkpointOf(RETRAIN_EVERY + 7)).toBe(RETRAIN_EVERY)
    expect(checkpointOf(2 * RETRAIN_EVERY + 1)).toBe(2 * RETRAIN_EVERY)
    // a history at a multiple is a full retrain: moving the checkpoint to its end changes nothing
    const all = history(2 * RETRAIN_EVERY)
    expect(learnHistory(TOPIC, undefined, all)).toEqual(
      learnHistory(TOPIC, undefined, all, { checkpoint: (n) => n }),
    )
    // past it, the steps give another model than a retrain on everything would
    const more = history(2 * RETRAIN_EVERY + 3)
    expect(learnHistory(TOPIC, undefined, more)).not.toEqual(
      learnHistory(TOPIC, undefined, more, { checkpoint: (n) => n }),
    )
  })

  it('verdict by verdict with a cache gives what a cold start gives, to the byte', () => {
    const all = history(RETRAIN_EVERY + 12)
    const cache = createHistoryCache()
    for (let n = RETRAIN_EVERY - 2; n <= all.length; n++) {
      const warm = learnHistory(TOPIC, undefined, all.slice(0, n), { cache })
      const cold = learnHistory(TOPIC, undefined, all.slice(0, n))
      // the same JSON: the tagging fingerprint (which hashes it) is the same in every process
      expect(JSON.stringify(warm)).toBe(JSON.stringify(cold))
    }
    // the store's order does not matter: the history is ordered by time given, then item id
    expect(learnHistory(TOPIC, undefined, [...all].reverse())).toEqual(
      learnHistory(TOPIC, undefined, all),
    )
  })

  it('a verdict changed or withdrawn after the retrain is redone from it, as a cold start would', () => {
    const all = history(RETRAIN_EVERY + 10)
    const cache = createHistoryCache()
    learnHistory(TOPIC, undefined, all, { cache })
    // the reader changes their mind on a verdict given after the last retrain (it moves to the end)
    const changed = all.map((v, i) =>
      i === RETRAIN_EVERY + 3 ? { ...v, in: !v.in, at: '2026-02-01T00:00:00.000Z' } : v,
    )
    expect(learnHistory(TOPIC, undefined, changed, { cache })).toEqual(
      learnHistory(TOPIC, undefined, changed),
    )
    const withdrawn = all.slice(0, -4)
    expect(learnHistory(TOPIC, undefined, withdrawn, { cache })).toEqual(
      learnHistory(TOPIC, undefined, withdrawn),
    )
    // a changed verdict before the retrain moves every later one: a retrain, not a stale model
    const early = all.map((v, i) => (i === 3 ? { ...v, title: 'Cricket final in Lahore' } : v))
    expect(learnHistory(TOPIC, undefined, early, { cache })).toEqual(
      learnHistory(TOPIC, undefined, early),
    )
  })

  it('a step learns the new verdict: its words gain weight, and at most its features are added', () => {
    const all = history(RETRAIN_EVERY + 1)
    const before = learnHistory(TOPIC, undefined, all)
    const fresh = verdict(RETRAIN_EVERY + 1, {
      in: true,
      title: 'Pakistan and Afghanistan agree on refugee returns at Chaman',
      summary: 'Quetta and Kandahar officials signed.',
    })
    const after = learnHistory(TOPIC, undefined, [...all, fresh])
    if (!before || !after) throw new Error('no model learned')
    expect(after.examples).toEqual({ in: before.examples.in + 1, out: before.examples.out })
    expect(after.weights.chaman ?? 0).toBeGreaterThan(0)
    expect(before.weights.chaman).toBeUndefined()
    const like = { title: 'Refugee returns at Chaman resume', summary: 'Quetta officials said.' }
    expect(scoreWithModel(after, like).probability).toBeGreaterThan(
      scoreWithModel(before, like).probability,
    )
    const added = Object.keys(after.weights).filter((f) => !Object.hasOwn(before.weights, f))
    const freshFeatures = itemFeatures(fresh)
    expect(added.length).toBeGreaterThan(0)
    for (const f of added) expect(freshFeatures.has(f)).toBe(true)
  })

  it('starts from the model file: with no verdicts the file, with some the file moved by them', () => {
    const base = {
      version: 1 as const,
      examples: { in: 3, out: 3 },
      bias: -1,
      weights: { torkham: 2 },
    }
    expect(learnHistory(TOPIC, base, [])).toBe(base)
    const learned = learnHistory(TOPIC, base, history(RETRAIN_EVERY + 2))
    expect(learned?.examples).toEqual({ in: 3 + 33, out: 3 + 97 })
    expect(learned?.weights.torkham).toBeGreaterThan(0)
  })
})
