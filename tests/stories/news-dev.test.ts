/** Story clustering on real news (news-dev, read in place): scores of the poll replay, guards on real look-alike pairs. */
import { beforeAll, describe, expect, it } from 'vitest'
import { isBackgroundPiece, storyFeatures } from '../../src/stories/features.js'
import { storyConflict } from '../../src/stories/guards.js'
import {
  loadNewsDev,
  NEWS_DEV_DIR,
  type NewsDevItem,
  type NewsDevRun,
  newsDevPresent,
  replayNewsDev,
  scoreNewsDev,
} from '../helpers/news-dev.js'

const present = newsDevPresent()
const suite = present ? 'news-dev' : `news-dev (skipped: no corpus at ${NEWS_DEV_DIR})`

/** Recall the replay reaches now (P 0.982, R 0.859 with the defaults), less the 0.05 the issue allows. */
const RECALL_FLOOR = 0.809

describe.skipIf(!present)(suite, () => {
  let items: Map<string, NewsDevItem>
  let run: NewsDevRun
  beforeAll(async () => {
    run = await replayNewsDev()
    items = new Map(run.items.map((i) => [i.id, i]))
  }, 120_000)

  const features = (id: string) => {
    const item = items.get(id)
    if (!item) throw new Error(`${id} is not in news-dev's set B`)
    return storyFeatures(item.title, item.summary)
  }
  const conflict = (a: string, b: string, sameDay: boolean) => {
    const x = features(a)
    const y = features(b)
    return storyConflict(x.facts, y.facts, x.keys, y.keys, sameDay)
  }

  it('replays every labelled report through the analysis into a story', () => {
    expect(run.items.length).toBe(861)
    // One Daily Mail report repeats an earlier one of the same feed word for word: the feed's
    // dedupe keeps one (the same as news-dev's README does within a day).
    expect(run.stored.size).toBeGreaterThanOrEqual(860)
  })

  it('keeps pairwise precision at 0.95 or more and recall at its floor', () => {
    const all = scoreNewsDev(run)
    expect(all.precision).toBeGreaterThanOrEqual(0.95)
    expect(all.recall).toBeGreaterThanOrEqual(RECALL_FLOOR)
  })

  it('merges paraphrases of one development across outlets', () => {
    // "Powerful earthquake kills at least 296 people in Morocco" (Sky) / "At least 296 dead as
    // powerful earthquake hits Morocco" (The Washington Post).
    expect(run.predicted.get('nd-00870')).toBe(run.predicted.get('nd-00862'))
    // "Former Pakistan PM Imran Khan arrested outside Islamabad court" (Al Jazeera) / "Ex-PM Imran
    // Khan arrested outside court in Pakistan" (BBC).
    expect(run.predicted.get('nd-00634')).toBe(run.predicted.get('nd-00630'))
  })

  it("merges a day's reports of one disaster, Polish ones too", () => {
    // Peshawar, 30 Jan 2023: "Pakistan. Potężny wybuch w meczecie…" (Polsat) / "Suicide bomber
    // kills at least 25 after targeting mosque in Pakistan" (Sky) / "Mosque blast kills
    // worshippers in Peshawar" (The Guardian).
    expect(run.predicted.get('nd-00205')).toBe(run.predicted.get('nd-00202'))
    expect(run.predicted.get('nd-00208')).toBe(run.predicted.get('nd-00202'))
    // Turkey, 20 Feb 2023: "ANOTHER powerful 6.3-magnitude earthquake rattles Turkey-Syria border"
    // (Daily Mail) / "New 6.4-magnitude earthquake hits southern Turkey" (Le Monde).
    expect(run.predicted.get('nd-00385')).toBe(run.predicted.get('nd-00388'))
  })

  it("joins a fresh disaster's day on its event key, whatever the angle, and the next day apart", () => {
    // Morocco, 9 Sep 2023: "Powerful earthquake strikes Morocco…" (ABC, 00:05) / "Morocco
    // earthquake: Dust surrounds Kutubiyya mosque following deadly quake" (BBC) / "Tourists
    // describe moments earthquake struck Morocco" (NBC).
    expect(run.predicted.get('nd-00880')).toBe(run.predicted.get('nd-00859'))
    expect(run.predicted.get('nd-00910')).toBe(run.predicted.get('nd-00859'))
    // 10 Sep is its own story, its angles together: "British tourists describe 'terrifying'
    // moment quake hit" (BBC) / "Dad killed by rubble… in Morocco quake" (Sky).
    expect(run.predicted.get('nd-00943')).toBe(run.predicted.get('nd-00924'))
    expect(run.predicted.get('nd-00924')).not.toBe(run.predicted.get('nd-00859'))
  })

  it("keeps an old disaster's aftermath, reactions and look-backs out of a day's story", () => {
    // Turkey, 20 Feb 2023, two weeks after the 6 Feb quake: "Turkey winds down earthquake rescue
    // operations" and "Blinken praises Americans' response to Turkey earthquake" are not the
    // day's new 6.4 quake ("New magnitude 6.4 earthquake rocks southern Turkey").
    expect(run.predicted.get('nd-00361')).not.toBe(run.predicted.get('nd-00386'))
    expect(run.predicted.get('nd-00364')).not.toBe(run.predicted.get('nd-00386'))
    // Morocco, 9 Sep: "World reacts to Morocco's devastating earthquake" and "The most deadly
    // earthquakes in the past 25 years" are their own stories.
    expect(run.predicted.get('nd-00892')).not.toBe(run.predicted.get('nd-00859'))
    expect(run.predicted.get('nd-00919')).not.toBe(run.predicted.get('nd-00859'))
  })

  it('keeps the next development of a saga apart on its day', () => {
    // 9 May 2023: "Imran Khan's Arrest in Graft Probe Stokes Anger in Pakistan" (MSN) is the
    // protests' story, not the arrest's ("Ex-PM Imran Khan arrested outside court in Pakistan").
    expect(conflict('nd-00652', 'nd-00634', true)).toBe('development')
    expect(run.predicted.get('nd-00652')).not.toBe(run.predicted.get('nd-00634'))
    // 13 Sep: "Adults sought by police over Sara Sharif death fly back to UK" vs "Sara Sharif:
    // Three relatives arrested over her murder", hours apart.
    expect(run.predicted.get('nd-01029')).not.toBe(run.predicted.get('nd-01017'))
  })

  it("joins one person's development on its day, apart from the next development", () => {
    // 12 May 2023: "Ex-Pakistan PM Imran Khan gets two-week bail from Islamabad court" (Al
    // Jazeera) / "Former Pakistan prime minister Imran Khan to be released on bail" (Sky) /
    // "Pakistani Court Frees Former Prime Minister Imran Khan" (The Epoch Times, 22:21).
    expect(run.predicted.get('nd-00744')).toBe(run.predicted.get('nd-00742'))
    expect(run.predicted.get('nd-00762')).toBe(run.predicted.get('nd-00742'))
    // 11 May: the Supreme Court's ruling, in Polish too ("Sąd Najwyższy w Pakistanie uchylił
    // decyzję o aresztowaniu byłego premiera Imrana Khana").
    expect(run.predicted.get('nd-00726')).toBe(run.predicted.get('nd-00720'))
    // 10 May: "Hundreds of supporters of ousted prime minister arrested" is not his arrest's story
    // nor the protests' ("Pakistan turmoil deepens after Imran Khan's arrest").
    expect(run.predicted.get('nd-00685')).not.toBe(run.predicted.get('nd-00689'))
    expect(run.predicted.get('nd-00685')).not.toBe(run.predicted.get('nd-00630'))
  })

  it("merges a match day's reports on its sides, not what a player says of it", () => {
    // Karachi, 18 Dec 2022: "Pakistan v England: Harry Brook hundred gives tourists lead" (BBC) /
    // "Harry Brook hits third century of tour as England edge into lead over Pakistan" (Guardian).
    expect(run.predicted.get('nd-00094')).toBe(run.predicted.get('nd-00093'))
    // Multan, 12 Dec: "Ben Stokes says tourists' victory is not 'just another series'" is its
    // own story, apart from "Tourists win thriller in Multan to seal series".
    expect(run.predicted.get('nd-00019')).not.toBe(run.predicted.get('nd-00018'))
  })

  it("keeps a next-morning late copy with the day before's story", () => {
    // Peshawar: NBC's "Scores killed after suicide bomber targets mosque in Pakistan" (31 Jan,
    // 09:43 UTC, no new figure) is the editor's 30 Jan story, not the 31 Jan toll updates.
    expect(run.predicted.get('nd-00247')).toBe(run.predicted.get('nd-00202'))
    expect(run.predicted.get('nd-00247')).not.toBe(run.predicted.get('nd-00240'))
  })

  it("keeps the next day's toll apart from the day's story", () => {
    // Peshawar: 30 Jan (Sky) vs "Death toll in Pakistan mosque explosion rises to 90" (31 Jan).
    expect(run.predicted.get('nd-00240')).not.toBe(run.predicted.get('nd-00202'))
  })

  it('keeps an explainer apart from the reports of the development it explains', () => {
    // "Who Is Imran Khan and Why Was He Arrested?" (The New York Times) vs the arrest reports.
    expect(isBackgroundPiece(items.get('nd-00649')!.title)).toBe(true)
    expect(run.predicted.get('nd-00649')).not.toBe(run.predicted.get('nd-00630'))
  })

  it('keeps a closure and the reopening apart (direction)', () => {
    // Torkham "closed" (20 Feb 2023) vs "Trade resumes as Pakistan, Afghanistan reopen Torkham".
    expect(conflict('nd-00362', 'nd-00483', false)).toBe('direction')
    expect(run.predicted.get('nd-00362')).not.toBe(run.predicted.get('nd-00483'))
  })

  it("keeps another day's toll apart, but lets a toll rise within one day", () => {
    // Peshawar: "kills at least 25" (30 Jan) vs "toll rises to more than 100" (31 Jan).
    expect(conflict('nd-00202', 'nd-00255', false)).toBe('numbers')
    // Morocco, 9 Sep: "toll passes 1,000" vs "toll passes 2,000", both that day.
    expect(conflict('nd-00899', 'nd-00918', true)).toBeUndefined()
    expect(conflict('nd-00899', 'nd-00918', false)).toBe('numbers')
  })

  it('scores the held-out windows (W4, W5) close to the tuned ones', () => {
    const tuned = scoreNewsDev(run, ['W1', 'W2', 'W3'])
    const held = scoreNewsDev(run, ['W4', 'W5'])
    // W4–W5 reach P 0.981, R 0.858 now; W1–W3 P 0.985, R 0.863.
    expect(held.precision).toBeGreaterThanOrEqual(0.95)
    expect(tuned.precision).toBeGreaterThanOrEqual(0.95)
    expect(held.recall).toBeGreaterThanOrEqual(0.808)
    expect(tuned.recall).toBeGreaterThanOrEqual(0.813)
    // No window alone falls under the precision target (leave one window out).
    for (const w of ['W1', 'W2', 'W3', 'W4', 'W5'])
      expect(scoreNewsDev(run, [w]).precision).toBeGreaterThanOrEqual(0.95)
  })

  it('reads every story of set B from the corpus', () => {
    expect(new Set(loadNewsDev().map((i) => i.story)).size).toBe(443)
  })
})
