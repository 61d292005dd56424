/** Words that name Object.prototype members, read from feeds, URLs and queries, find nothing. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { parseFeedDate } from '../../src/ingest/parse/dates.js'
import { storyFacts } from '../../src/stories/facts.js'
import { decodeEntities, htmlToText } from '../../src/topics/text.js'
import { dict } from '../../src/util/dict.js'
import { parseDuration } from '../../src/util/duration.js'
import { createTestDeps, testConfig } from '../helpers/runtime.js'

describe('dict', () => {
  it('has the given keys and nothing inherited', () => {
    const units = dict({ s: 1 })
    expect(units.s).toBe(1)
    expect(units.constructor).toBeUndefined()
    expect(units.toString).toBeUndefined()
    expect(Object.isFrozen(units)).toBe(true)
  })
})

describe('tables read with outside text', () => {
  it('story facts: "constructor", "valueOf" and "toString" are words, not figures, months or places', () => {
    const facts = storyFacts(
      'Constructor of the dam says valueOf toString hasOwnProperty',
      'A constructor said on __proto__ day',
    )
    expect(facts.numbers).toEqual([])
    expect(facts.quantities).toEqual([])
    expect(facts.months).toBe(0)
    expect(facts.weekdays).toBe(0)
    expect(facts.places).toEqual([])
  })

  it('entities: an unknown name such as &constructor; stays as written', () => {
    expect(decodeEntities('a &constructor; b &toString; c &amp; d')).toBe(
      'a &constructor; b &toString; c & d',
    )
    expect(htmlToText('<p>x &valueOf; y</p>')).toBe('x &valueOf; y')
  })

  it('dates: a zone named like an Object member reads as any unknown zone does', () => {
    expect(parseFeedDate('Mon, 02 Mar 2026 10:00:00 constructor')).toEqual(
      parseFeedDate('Mon, 02 Mar 2026 10:00:00 QQQ'),
    )
  })

  it('durations: a unit named like an Object member is no duration', () => {
    expect(parseDuration('5constructor')).toBeUndefined()
  })

  it('HTTP: a format or search field named like an Object member is a clear 4xx, not a crash', async () => {
    const app = createApp(createTestDeps(testConfig()))
    const ext = await app.request('/topics/pakistan-afghanistan.constructor')
    expect([400, 404]).toContain(ext.status)
    const field = await app.request('/search?q=constructor:torkham')
    expect(field.status).toBeLessThan(500)
    const alias = await app.request('/api/items?toString=1')
    expect(alias.status).toBe(400)
  })
})
