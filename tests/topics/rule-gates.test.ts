/** createRuleGates: what a model-only change can move — the items the rules passed at the last re-tag, plus those stored since; unknown before a full re-tag or after forget. */
import { describe, expect, it } from 'vitest'
import { createRuleGates, MAX_UNSEEN_IDS } from '../../src/topics/rule-gates.js'
import { topicTagger } from '../../src/topics/tag.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, PAK_AFGHAN_TOPIC } from '../helpers/runtime.js'

const source = makeSource({ id: 'dawn', title: 'Dawn' })
const topic = { ...PAK_AFGHAN_TOPIC, model: { mode: 'filter' as const, threshold: 0.5 } }
const tagger = topicTagger([topic])
const sources = new Map([[source.id, source]])
const talks = makeItem({ id: 'talks', title: 'Pakistan and Afghanistan talk in Kabul' })
const rain = makeItem({ id: 'rain', title: 'Rain in Lahore', summary: 'Wet.', contentHtml: '' })

describe('createRuleGates', () => {
  it('records the items the rules pass in a full re-tag; notes items stored since', () => {
    const gates = createRuleGates()
    expect(gates.movable([topic.id])).toBeUndefined()
    const rec = gates.recorder([topic], tagger, sources, true)
    expect(rec.tag(talks)).toEqual([topic.id])
    expect(rec.tag(rain)).toEqual([])
    // nothing known until the re-tag is done
    expect(gates.movable([topic.id])).toBeUndefined()
    rec.commit()
    expect(gates.movable([topic.id])?.ids).toEqual(new Set(['talks']))
    gates.noteStored(['new-1'])
    expect(gates.movable([topic.id])).toEqual({
      ids: new Set(['talks', 'new-1']),
      noted: new Set(['new-1']),
    })
    // a partial re-tag of the noted item records it: it fails the rules, so it leaves the set
    const part = gates.recorder([topic], tagger, sources, false)
    part.tag({ ...rain, id: 'new-1' })
    part.commit()
    expect(gates.movable([topic.id])).toEqual({ ids: new Set(['talks']), noted: new Set() })
    // a topic without a record, or items stored elsewhere: unknown
    expect(gates.movable(['other'])).toBeUndefined()
    gates.forget()
    expect(gates.movable([topic.id])).toBeUndefined()
  })

  it('a re-tag that began before forget does not make its record known', () => {
    const gates = createRuleGates()
    const rec = gates.recorder([topic], tagger, sources, true)
    rec.tag(talks)
    gates.forget()
    rec.commit()
    expect(gates.movable([topic.id])).toBeUndefined()
  })

  it('drops the record past maxUnseen noted ids (a serve with no verdicts): the next re-tag is full', () => {
    expect(MAX_UNSEEN_IDS).toBeGreaterThan(0)
    const drops: number[] = []
    const gates = createRuleGates(3, (max) => drops.push(max))
    gates.noteStored(['u1', 'u2', 'u3', 'u4'])
    // nothing was known yet: nothing lost, nothing to tell
    expect(drops).toEqual([])
    const rec = gates.recorder([topic], tagger, sources, true)
    rec.tag(talks)
    rec.commit()
    gates.noteStored(['n1', 'n2'])
    gates.noteStored(['n3'])
    expect(gates.movable([topic.id])?.ids).toEqual(new Set(['talks', 'n1', 'n2', 'n3']))
    expect(drops).toEqual([])
    gates.noteStored(['n4', 'n5'])
    expect(gates.movable([topic.id])).toBeUndefined()
    expect(drops).toEqual([3])
    // a partial re-tag cannot make it known again; a full one starts a bounded record anew
    const part = gates.recorder([topic], tagger, sources, false)
    part.tag(talks)
    part.commit()
    expect(gates.movable([topic.id])).toBeUndefined()
    const full = gates.recorder([topic], tagger, sources, true)
    full.tag(talks)
    full.commit()
    gates.noteStored(['n6'])
    expect(gates.movable([topic.id])).toEqual({
      ids: new Set(['talks', 'n6']),
      noted: new Set(['n6']),
    })
  })

  it('a full re-tag running when the record is dropped does not make its record known', () => {
    const gates = createRuleGates(2)
    const rec = gates.recorder([topic], tagger, sources, true)
    rec.tag(talks)
    // stored while the re-tag runs: past the cap, the ids noted are gone with the record
    gates.noteStored(['n1', 'n2', 'n3'])
    rec.commit()
    expect(gates.movable([topic.id])).toBeUndefined()
  })
})
