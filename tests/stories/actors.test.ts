import { describe, expect, it } from 'vitest'
import { isActorKey } from '../../src/stories/actors.js'
import { storyFeatures } from '../../src/stories/features.js'

/** The actor + development keys of a report (its event keys that are an actor's). */
const keys = (title: string, summary = ''): number[] =>
  [...storyFeatures(title, summary).events].filter(isActorKey)

describe('actorKeys: a person and a development on a headline', () => {
  it('gives paraphrases of one development one key, whatever names the person', () => {
    const full = keys('Imran Khan granted bail by Islamabad court')
    expect(full).toHaveLength(1)
    // A surname or a role names the person when the report names exactly that one in full.
    expect(keys('Ex-PM Khan released on bail', 'Imran Khan left the court on Friday.')).toEqual(
      full,
    )
    expect(
      keys('Former prime minister freed on bail', 'Imran Khan left the court on Friday.'),
    ).toEqual(full)
    // Polish, with the inflected name ("kaucja": bail).
    expect(keys('Sąd: kaucja dla Imrana Khana', '')).toEqual(full)
  })

  it('names nobody from a surname or role alone, or a role when two people are named', () => {
    expect(keys('Ex-PM Khan released on bail')).toEqual([])
    expect(
      keys(
        'Former prime minister released on bail',
        'Imran Khan and Nawaz Sharif were both in court.',
      ),
    ).toEqual([])
  })

  it('tells developments apart: arrest, bail, protests', () => {
    const arrest = keys('Imran Khan arrested in Islamabad')
    const bail = keys('Imran Khan granted bail')
    expect(arrest).toHaveLength(1)
    expect(arrest).not.toEqual(bail)
    // The cause is not the news: "arrest sparks violence" reports violence.
    const protests = keys("Imran Khan's arrest sparks violence in Pakistan")
    expect(protests).toHaveLength(1)
    expect(protests).not.toEqual(arrest)
    // Nor is what a background clause recalls.
    expect(keys('Protests erupt in Pakistan after Imran Khan arrest')).toEqual(protests)
    expect(keys('Imran Khan has no development in this headline')).toEqual([])
  })

  it("keys a person's circle apart from the person", () => {
    const him = keys('Imran Khan arrested in Islamabad')
    const them = keys("Nearly 1,000 of Imran Khan's supporters arrested")
    expect(them).toHaveLength(1)
    expect(them).not.toEqual(him)
  })

  it('keeps its work bounded on a hostile headline', () => {
    const title = Array.from(
      { length: 2_000 },
      () => 'Imran Khan arrested bail protests talks',
    ).join(' ')
    expect(keys(title).length).toBeLessThanOrEqual(6)
  })
})
