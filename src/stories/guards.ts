/** Guards against false story merges (pure): two texts that disagree on a fact are two stories. */
import { type Quantities, quantityEnd, type StoryFacts } from './facts.js'
import { DEVELOPMENT_CONSEQUENCES } from './lexicon.js'
import { placesCompatible } from './places.js'
import { fnv1a, hasKey, stem } from './text.js'

/** The key of the casualty words ("killed", "dead", "death toll"…: one synonym class, lexicon.ts). */
export const CASUALTY_KEY = fnv1a(stem('kill'))

/** Why two similar texts are kept apart. */
export type GuardName =
  | 'numbers'
  | 'months'
  | 'weekdays'
  | 'places'
  | 'other-places'
  | 'countries'
  | 'direction'
  | 'several'
  | 'development'

/** Both lists say something and share nothing. */
const disjoint = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length > 0 && b.length > 0 && !meets(a, b)

/** The lists share an element (they are short: a few figures or places). */
const meets = <T>(a: readonly T[], b: readonly T[]): boolean => a.some((x) => b.includes(x))

/** Both masks say something and share no bit. */
const disjointMask = (a: number, b: number): boolean => a !== 0 && b !== 0 && (a & b) === 0

/** One thing counted differently: "two wickets" vs "eight wickets", "100,000 Afghans" vs "80,000 Afghans". */
const quantitiesConflict = (a: StoryFacts, b: StoryFacts): boolean => {
  const qa = a.quantities
  const qb = b.quantities
  if (qa.length === 0 || qb.length === 0) return false
  for (let i = 0; i < qa.length; ) {
    const end = quantityEnd(qa, i)
    // A unit is a string, a value a number: indexOf finds only the unit.
    const j = qb.indexOf(qa[i] as string)
    if (j >= 0) {
      const jEnd = quantityEnd(qb, j)
      // "magnitude 5.2 kills 3" reads 5.2 as a count of kills: a figure the other text has
      // anyway is no disagreement.
      if (
        !valuesMeet(qa, i + 1, end, qb, j + 1, jEnd) &&
        !meetsIn(qa, i + 1, end, b.numbers) &&
        !meetsIn(qb, j + 1, jEnd, a.numbers)
      )
        return true
    }
    i = end
  }
  return false
}

/** `q[from..to)` shares an element with `b` (as `includes` compares). */
const meetsIn = (q: Quantities, from: number, to: number, b: readonly number[]): boolean => {
  for (let k = from; k < to; k++) if (b.includes(q[k] as number)) return true
  return false
}

/** `a[af..at)` and `b[bf..bt)` share a value (as `includes` compares: NaN meets NaN). */
const valuesMeet = (
  a: Quantities,
  af: number,
  at: number,
  b: Quantities,
  bf: number,
  bt: number,
): boolean => {
  for (let k = af; k < at; k++) {
    const x = a[k]
    for (let m = bf; m < bt; m++) {
      const y = b[m]
      if (x === y || (Number.isNaN(x) && Number.isNaN(y))) return true
    }
  }
  return false
}

/** Both name places and no place of one can be (in, or the other name of) a place of the other. */
const placesConflict = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length === 0 || b.length === 0) return false
  for (const x of a) for (const y of b) if (placesCompatible(x, y)) return false
  return true
}

/** Unknown places: each names one the other's text never mentions. */
const otherPlacesConflict = (
  a: StoryFacts,
  b: StoryFacts,
  aKeys: Uint32Array,
  bKeys: Uint32Array,
): boolean => {
  if (a.otherPlaces.length === 0 || b.otherPlaces.length === 0) return false
  for (const x of a.otherPlaces) if (hasKey(bKeys, fnv1a(x))) return false
  for (const y of b.otherPlaces) if (hasKey(aKeys, fnv1a(y))) return false
  return true
}

/** An axis on which one report goes up and the other down ("reopens" vs "closed again"). */
const directionConflict = (a: StoryFacts, b: StoryFacts): boolean => {
  for (const [axis, d] of Object.entries(a.direction)) {
    const e = b.direction[axis]
    if (d !== 0 && e !== undefined && e !== 0 && d !== e) return true
  }
  return false
}

/**
 * Two headlines report different developments of a saga (lexicon.ts DEVELOPMENTS): one tells of
 * protests, troops or a flight home that the other does not (a consequence is the next story:
 * "Imran Khan's arrest stokes anger" after "Imran Khan arrested"), or both tell of developments
 * and none is shared. Bail or a release told by one headline only is the same ruling told twice.
 */
const developmentConflict = (a: number, b: number): boolean =>
  ((a ^ b) & DEVELOPMENT_CONSEQUENCES) !== 0 || (a !== 0 && b !== 0 && (a & b) === 0)

/**
 * The first guard that keeps two reports apart, or undefined when none does (pure). Each guard
 * fires only when BOTH texts state the fact and the statements cannot both be true: different
 * figures ("100,000" vs "80,000"; "100k" equals "100,000"), months, weekdays (of reports of
 * different UTC days), places (a place
 * inside another, or the other name of one crossing, is compatible), countries, or opposite event
 * directions ("reopens" vs "closed", "resume" vs "collapse", "rises" vs "falls"), or one reporting
 * several events at once ("bus and boat accidents") and the other one of them. Figures do not
 * keep apart two reports of casualties published on one UTC day: a toll rises as the day goes on
 * (17 → 59 killed), while the next day's toll is the next day's story.
 * @param aKeys text keys of `a` (features.ts), to see whether it mentions b's unknown places
 * @param sameDay whether the two were published on the same UTC day
 * @param sameEvent whether their headlines name one event kind at one place (features.ts
 *   `events`): on one day, their figures (a magnitude of 6.3 or 6.4, a toll) are one event's
 *   figures as different agencies and hours give them
 * @example storyConflict(storyFacts('Torkham reopens'), storyFacts('Chaman reopens'), …) // 'places'
 */
export const storyConflict = (
  a: StoryFacts,
  b: StoryFacts,
  aKeys: Uint32Array,
  bKeys: Uint32Array,
  sameDay = false,
  sameEvent = false,
): GuardName | undefined => {
  const tollOfOneDay =
    sameDay && (sameEvent || (hasKey(aKeys, CASUALTY_KEY) && hasKey(bKeys, CASUALTY_KEY)))
  if (!tollOfOneDay && (disjoint(a.numbers, b.numbers) || quantitiesConflict(a, b)))
    return 'numbers'
  if (disjointMask(a.months, b.months)) return 'months'
  // Two reports of one UTC day that name different weekdays name the night it happened and the
  // day they write ("late Friday", "on Saturday"), not two events: the day already tells them.
  if (!sameDay && disjointMask(a.weekdays, b.weekdays)) return 'weekdays'
  if (placesConflict(a.places, b.places)) return 'places'
  // Reports of one event on its day name the towns it reached (capitalised names the gazetteer
  // does not know): a known place of another province or country still keeps them apart.
  if (!(sameDay && sameEvent) && otherPlacesConflict(a, b, aKeys, bKeys)) return 'other-places'
  if (disjoint(a.countries, b.countries)) return 'countries'
  if (directionConflict(a, b)) return 'direction'
  if (a.several !== b.several) return 'several'
  // A saga's day holds several stories (an arrest; the protests it sparks; bail). One disaster's
  // day is one story whatever its headlines add ("anger and despair").
  if (!(sameDay && sameEvent) && developmentConflict(a.develops ?? 0, b.develops ?? 0))
    return 'development'
  return undefined
}
