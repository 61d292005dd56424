/** Facts a story guard compares (pure): figures, months, weekdays, places, countries, event direction, event keys. */
import { hasNonAscii, isAsciiSpace, nfkc, tokenize } from '../topics/text.js'
import { actorKeysIn, SPELLING_STARTS } from './actors.js'
import { foldWord, isPolish } from './fold.js'
import {
  ANGLE_WORDS,
  AXIS_STEMS,
  BACKGROUND,
  CLAUSE_WORDS,
  CURRENCIES,
  DEVELOPMENTS,
  EVENT_KINDS,
  MATCH_ANGLE_WORDS,
  MATCH_WORDS,
  MONTH_ABBR,
  MONTHS,
  NOT_PLACES,
  NUMBER_WORDS,
  ORDINAL_NOUNS,
  ORDINAL_WORDS,
  REACTION_WORDS,
  SCALES,
  SITE_BEFORE,
  SPORT_TEAMS,
  SYNONYM_OF,
  TEST_AFTER,
  TEST_BEFORE,
  UNIT_SKIP,
  WEEKDAYS,
} from './lexicon.js'
import { COUNTRY_NAMES, MULTI_WORD_NAMES, PLACES, type Place, placeCountry } from './places.js'
import { fnv1a, isContentWord, stem, WordFilter } from './text.js'

/**
 * Figures by what they count, flat: each unit followed by its values, units in the order the
 * text gives them (`['wicket', 2, 'round', 3, 5]`). One small array per item where a Map, its
 * table and an array per unit took several times the room: the story index holds one per item
 * of its window (a first import: every item it stores).
 */
export type Quantities = readonly (string | number)[]

/** Where the values of the unit at `at` in `q` end (the next unit, or the end). */
export const quantityEnd = (q: Quantities, at: number): number => {
  let end = at + 1
  while (end < q.length && typeof q[end] === 'number') end++
  return end
}

/** Which way an event goes on one axis: +1, -1, or 0 when the text says both. */
export type Direction = -1 | 0 | 1

/**
 * The facts of one item that two reports of one event cannot disagree on. Kept compact (arrays,
 * bit masks, shared empties): the story index holds one per item of a 72-hour window.
 */
export interface StoryFacts {
  /** Figures of title + summary as values ("100,000", "100k" → 100000; "27th" → 27; not "third"). */
  numbers: readonly number[]
  /** Figures by the word that follows them ("two wickets" → wicket: [2]; "third round" → round: [3]). */
  quantities: Quantities
  /** Months named: bit m − 1 for month m (January = bit 0). */
  months: number
  /** Weekdays named: bit d (Sunday = bit 0). */
  weekdays: number
  /** Gazetteer places where something happens (ids of stories/places.ts). */
  places: readonly string[]
  /** Capitalised names after in/at/near that the gazetteer does not know (normalised, stemmed). */
  otherPlaces: readonly string[]
  /** Countries named, directly or through a capital, demonym or place in them. */
  countries: readonly string[]
  /** Direction of the event on each axis that the title (else the summary) speaks of. */
  direction: Readonly<Record<string, Direction>>
  /** The headline reports several events at once ("two accidents", "bus and boat crashes"). */
  several?: true
  /** The text is Polish: only its words that fold to English ones (fold.ts) are keys. */
  folded?: true
  /**
   * The headline reports an event of its event keys happening ("quake hits", "6.8-magnitude
   * earthquake", "blast kills 20"), not a later angle of it ("quake-hit town", "after the quake").
   */
  onset?: true
  /** The headline tells of a recurrence ("another", "new", "fresh", "days after…"): an event after an earlier one. */
  again?: true
  /** The magnitude the headline gives ("6.3-magnitude", "magnitude 6.4"). */
  magnitude?: number
  /** Developments of a saga the headline reports, outside its background clauses (lexicon.ts DEVELOPMENTS bits). */
  develops?: number
  /** The headline names its events in the plural only, with no recurrence: a look back ("Deadliest earthquakes of the decade"). */
  past?: true
  /**
   * The headline names an event kind but reacts to it or serves its readers ("World reacts to
   * the earthquake", "How to help the victims", "Deadliest earthquakes…"): not a report of it.
   */
  aside?: true
}

/**
 * A headline of several events: a roundup is its own story, not a report of one of them (news-dev's
 * editor keeps "bus and boat accidents" apart from the bus crash).
 */
const SEVERAL_EVENTS =
  /\b(?:separate|twin|two|multiple|several)\s+(?:[a-z]{1,24}\s+)?(?:accidents|crashes|attacks|blasts|explosions|incidents|tragedies|disasters|earthquakes|quakes|bombings)\b|\b[a-z]{1,24}(?:,| and)\s+[a-z]{1,24}\s+(?:accidents|crashes|attacks|blasts|bombings)\b/i

/** Headline characters {@link SEVERAL_EVENTS} reads: a hostile title must not cost its length squared. */
const SEVERAL_SPAN = 300

/**
 * A clause of raw text: its normalised words are `read.words[from … to)` (see {@link Reading}).
 */
interface Clause {
  raw: string
  from: number
  to: number
  /** `raw` has a character 0–9 (what figures() looks for first). */
  digits: boolean
}

/**
 * The words of a story's texts (its title's, then its summary's), normalised, in one list, with
 * what the passes below need of each word: its lexeme (undefined for most words, which the passes
 * then skip). The clauses of the texts are ranges of it: no arrays per clause, and no list of
 * all words copied from them. One list, reused by each story read (`count` words are its own).
 */
interface Reading {
  words: string[]
  lexemes: (Lexeme | undefined)[]
  count: number
  /** The texts cut into clauses, as cut (a text beyond ASCII normalised and its digits folded). */
  texts: string[]
  /**
   * The passes that have some word to read in the words read since it was cleared: the union of
   * their lexemes' {@link Lexeme.passes}. A pass with none to read gives nothing, and is not run.
   */
  passes: number
}

/** Passes a lexeme matters to (Lexeme `passes`): the axes of directions… */
const PASS_AXES = 1
/** …the months and weekdays of dates… */
const PASS_DATES = 2
/** …the number and ordinal words of figures… */
const PASS_FIGURES = 4
/** …the national sides of matchKeys (no side, no match key)… */
const PASS_SIDES = 8
/** …the places, countries and names of several words of sitesOf… */
const PASS_SITES = 16
/** …and the actors' spellings of actorKeysIn (none started, no actor named). */
const PASS_SPELLS = 32

const newReading = (): Reading => ({
  words: [],
  lexemes: [],
  count: 0,
  texts: [],
  passes: 0,
})

const reading = newReading()

/** Words past which the reused lists are let go after a story (a long text's words are not kept). */
const READING_KEPT = 4_096

/** Ends a clause: a figure never counts a word beyond it. A dot inside a number is not one. */
const CLAUSE_END = /,(?!\d)|[;:!?\n()\u2013\u2014]|\s-\s|\.(?!\d)/

const ARABIC_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g

/**
 * The clauses of a text, their words appended to `read`, and the keys of its content words (fnv1a
 * of each stem, or of its synonym class's stem) appended to `keys`, in order.
 * @param polish the item is Polish (fold.ts): its words are read as the English words they fold to,
 *   as are Urdu, Persian and Pashto words of any text
 */
const clausesOf = (
  text: string,
  polish: boolean,
  ascii: boolean,
  read: Reading,
  keys: number[],
): Clause[] => {
  const out: Clause[] = []
  // ASCII text has nothing to normalise or fold into ASCII digits: it is cut and read in one pass.
  if (ascii) {
    read.texts.push(text)
    asciiClauses(text, polish, out, read, keys)
    return out
  }
  const folded = nfkc(text).replace(ARABIC_DIGITS, (c) => String((c.charCodeAt(0) - 0x0660) % 0x90))
  read.texts.push(folded)
  for (const raw of folded.split(CLAUSE_END)) {
    const words = tokenize(raw)
    if (words.length === 0) continue
    const from = read.count
    for (const w of words) readWord(w, true, polish, read, keys)
    out.push({ raw, from, to: read.count, digits: HAS_DIGIT.test(raw) })
  }
  return out
}

/**
 * The clauses of ASCII text into `out`: the pieces `text.split(CLAUSE_END)` gives that have a
 * word, each with its words as tokenize() reads them (runs of A–Z, a–z and 0–9, lower-cased), in
 * one pass over the text lower-cased once: no regex split, and no lower-cased copy and no test
 * for characters beyond ASCII per clause. A clause's end is never in a word, so the words of the
 * text fall into its clauses as they are. A randomised test holds it to the split and tokenize.
 */
const asciiClauses = (
  text: string,
  polish: boolean,
  out: Clause[],
  read: Reading,
  keys: number[],
): void => {
  const lower = text.toLowerCase()
  const n = text.length
  let start = 0
  let word = -1
  let from = read.count
  let digits = false
  for (let i = 0; i < n; ) {
    const c = lower.charCodeAt(i)
    if (c >= 97 && c <= 122) {
      if (word < 0) word = i
      i++
      continue
    }
    if (c >= 48 && c <= 57) {
      if (word < 0) word = i
      digits = true
      i++
      continue
    }
    if (word >= 0) {
      readWord(lower.slice(word, i), false, polish, read, keys)
      word = -1
    }
    const end = clauseEndAt(lower, i, c)
    if (end === 0) {
      i++
      continue
    }
    if (read.count > from) {
      out.push({ raw: text.slice(start, i), from, to: read.count, digits })
      from = read.count
    }
    // A digit is in a word, and a clause without words is dropped with its (none).
    digits = false
    i += end
    start = i
  }
  if (word >= 0) readWord(word === 0 ? lower : lower.slice(word), false, polish, read, keys)
  if (read.count > from)
    out.push({ raw: start === 0 ? text : text.slice(start), from, to: read.count, digits })
}

/** Whether `c` is 0–9. */
const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * The length of the match of {@link CLAUSE_END} at `i` of ASCII text `s` (whose code unit there is
 * `c`), tried in its order; 0 when there is none.
 */
const clauseEndAt = (s: string, i: number, c: number): number => {
  switch (c) {
    case 44: // ,
    case 46: // .
      return isDigit(s.charCodeAt(i + 1)) ? 0 : 1
    case 59: // ;
    case 58: // :
    case 33: // !
    case 63: // ?
    case 10: // \n
    case 40: // (
    case 41: // )
      return 1
    default:
      return isAsciiSpace(c) && s.charCodeAt(i + 1) === 45 && isAsciiSpace(s.charCodeAt(i + 2))
        ? 3
        : 0
  }
}

/**
 * Appends a normalised word to `read` (made into the word read: folded when `fold` or `polish`)
 * with its lexeme, and its key to `keys` when it is a content word and keys are still wanted.
 */
const readWord = (
  normalised: string,
  fold: boolean,
  polish: boolean,
  read: Reading,
  keys: number[],
): void => {
  let w = normalised
  /** A word of a Polish text that folds to none: no report in English shares it. */
  let unfolded = false
  if (fold || polish) {
    w = foldWord(normalised, polish)
    unfolded = polish && w === normalised
  }
  // Stemmed only when its stem may move an axis or it gets a key: past a summary's lede, and
  // for its function words, most words need neither.
  let s: string | undefined
  let lexeme = IN_LEXICON.mayHold(w) ? LEXICON.get(w) : undefined
  if (lexeme === undefined && mayStartAxisStem(w)) {
    s = stem(w)
    if (IN_AXIS_LEXEMES.mayHold(s)) lexeme = AXIS_LEXEMES.get(s)
  }
  const at = read.count++
  read.words[at] = w
  read.lexemes[at] = lexeme
  if (lexeme !== undefined) read.passes |= lexeme.passes
  // An unfolded Polish word only dilutes the similarity to the English reports of its event
  // (two Polish reports share their folded words and figures).
  if (keysWanted > 0 && isContentWord(w) && !unfolded) {
    s ??= stem(w)
    keys.push(fnv1a((HAS_SYNONYM.mayHold(s) ? SYNONYM_OF.get(s) : undefined) ?? s))
    keysWanted--
  }
}

/**
 * How many more content words {@link readWord} gives a key: a summary's keys past the first
 * `summaryKeyMax` of {@link readStory} are never read (features.ts keeps a lede of them), and its
 * words are most of an item's. Set around each text's clauses.
 */
let keysWanted = Number.POSITIVE_INFINITY

/**
 * What the passes below need to know of a word found in some lexicon: every lexicon is looked up
 * once, here, for the few hundred words they hold, and a text's word then costs one lookup in a
 * small table (cached by the CPU) whatever the size of the vocabulary.
 */
interface Lexeme {
  readonly number: number | undefined
  readonly ordinal: number | undefined
  readonly weekday: number | undefined
  readonly month: number | undefined
  readonly monthAbbr: number | undefined
  /** Names of several words that start with this one, longest first. */
  readonly multis: readonly (readonly string[])[] | undefined
  readonly place: Place | undefined
  readonly country: string | undefined
  /** Starts a new clause for directions ("as", "but"…). */
  readonly clauseWord: boolean
  /** Opens a background clause ("after", "amid"…). */
  readonly background: boolean
  /** The event axes its stem moves (bit 1 up, bit 2 down). */
  readonly axes: readonly (readonly [string, number])[] | undefined
  /** The national side it names (SPORT_TEAMS). */
  readonly side: string | undefined
  /** Speaks of a match (MATCH_WORDS), or is "test" (one when next to TEST_BEFORE/TEST_AFTER words). */
  readonly matchWord: boolean
  /** Says the headline reacts to an event rather than reporting it (ANGLE_WORDS). */
  readonly angle: boolean
  /** Says the headline tells what someone says of a match (MATCH_ANGLE_WORDS). */
  readonly matchAngle: boolean
  /** Starts the spelling of an actor's name (actors.ts). */
  readonly spells: boolean
  /** The passes it matters to (PASS_AXES…): from the fields above. */
  readonly passes: number
}

const lexemeOf = (w: string): Lexeme =>
  withPasses({
    // Every lexeme has the same fields (one shape for the passes that read them).
    number: NUMBER_WORDS[w],
    ordinal: ORDINAL_WORDS[w],
    weekday: WEEKDAYS[w],
    month: MONTHS[w],
    monthAbbr: MONTH_ABBR[w],
    multis: MULTI_BY_FIRST.get(w),
    place: PLACES[w],
    country: COUNTRY_OF.get(w),
    clauseWord: CLAUSE_WORDS.has(w),
    background: BACKGROUND.has(w),
    axes: AXES_OF_STEM.get(stem(w)),
    side: SPORT_TEAMS.get(w),
    matchWord: MATCH_WORDS.has(w) || w === 'test',
    angle: ANGLE_WORDS.has(w),
    matchAngle: MATCH_ANGLE_WORDS.has(w),
    spells: STARTS_SPELLING.has(w),
    passes: 0,
  })

/** `l` with the passes its fields matter to. */
const withPasses = (l: Lexeme): Lexeme => ({
  ...l,
  passes:
    (l.axes ? PASS_AXES : 0) |
    (l.weekday !== undefined || l.month !== undefined || l.monthAbbr !== undefined
      ? PASS_DATES
      : 0) |
    (l.number !== undefined || l.ordinal !== undefined ? PASS_FIGURES : 0) |
    (l.side ? PASS_SIDES : 0) |
    (l.place || l.country || l.multis ? PASS_SITES : 0) |
    (l.spells ? PASS_SPELLS : 0),
})

const STARTS_SPELLING: ReadonlySet<string> = new Set(SPELLING_STARTS)

/** Rounds to six significant digits, so 1.2 × 10⁹ from "1.2bn" and "1,200,000,000" agree. */
const canonicalNumber = (x: number): number => Number(x.toPrecision(6))

const HAS_DIGIT = /\d/

const NUMBER_RE =
  /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?-?\s?(k|m|mn|bn|b|thousand|lakh|crore|million|billion|st|nd|rd|th)\b)?/gi

/** The first word from `from` on (before `end`) that can say what a figure counts, stemmed. */
const unitAt = (words: readonly string[], from: number, end = words.length): string | undefined => {
  for (let i = from; i < Math.min(end, from + 4); i++) {
    const w = words[i]!
    if (/^\d+$/.test(w) || SCALES[w] !== undefined || UNIT_SKIP.has(w)) continue
    if (NUMBER_WORDS[w] !== undefined) continue
    return /^[a-z]{3,}$/.test(w) ? stem(w) : undefined
  }
  return undefined
}

const addTo = <K, V>(m: Map<K, Set<V>>, key: K, v: V): void => {
  const set = m.get(key)
  if (set) set.add(v)
  else m.set(key, new Set([v]))
}

/** Figures of the clauses, alone and by what they count. */
const figures = (
  clauses: readonly Clause[],
  words: readonly string[],
  lexemes: readonly (Lexeme | undefined)[],
  /** Some word has a lexeme with a number or an ordinal (else only the digits are read). */
  numberWords: boolean,
) => {
  const numbers = new Set<number>()
  const quantities = new Map<string, Set<number>>()
  /** Ordinal words ("second ODI") only count things: as bare figures they would meet "2 wickets". */
  const add = (value: number, unit: string | undefined, ordinal = false): void => {
    const v = canonicalNumber(value)
    if (!ordinal) numbers.add(v)
    if (unit !== undefined) addTo(quantities, unit, v)
  }
  for (const { raw, from, to, digits } of clauses) {
    // NUMBER_RE needs a digit: most clauses have none.
    const matches = digits ? raw.matchAll(NUMBER_RE) : []
    for (const m of matches) {
      const at = m.index ?? 0
      const before = raw.slice(Math.max(0, at - 6), at)
      // A number glued to a name ("KSE-100", "Q1", "G-11", "T20") is part of the name.
      if (/[A-Za-z]-?$/.test(before)) {
        const word = /([A-Za-z]+)\.?$/.exec(before)?.[1]?.toLowerCase() ?? ''
        if (!CURRENCIES.has(word)) continue
      }
      const base = Number.parseFloat(`${m[1]!.replace(/,/g, '')}${m[2] ?? ''}`)
      const scale = SCALES[m[3]?.toLowerCase() ?? ''] ?? 1
      const rest = raw.slice(at + m[0].length, at + m[0].length + 40).toLowerCase()
      if (Number.isFinite(base))
        add(base * scale, unitAt(rest.split(/[^\p{L}\p{N}]+/u).filter(Boolean), 0))
    }
    if (numberWords)
      for (let i = from; i < to; i++) {
        const info = lexemes[i]
        if (info === undefined) continue
        const next = i + 1 < to ? words[i + 1] : undefined
        const n = info.number
        if (n !== undefined) {
          add(n * (SCALES[next ?? ''] ?? 1), unitAt(words, i + 1, to))
          continue
        }
        const o = info.ordinal
        if (o === undefined) continue
        const noun = [next, i + 2 < to ? words[i + 2] : undefined].find(
          (x) => x !== undefined && ORDINAL_NOUNS.has(x),
        )
        if (noun) add(o, stem(noun), true)
      }
  }
  return { numbers, quantities }
}

/** Months and weekdays named by `words[0 … end)`. */
const dates = (words: readonly string[], lexemes: readonly (Lexeme | undefined)[], end: number) => {
  const months = new Set<number>()
  const weekdays = new Set<number>()
  const isDay = (w: string | undefined): boolean => w !== undefined && /^\d{1,2}$/.test(w)
  for (let i = 0; i < end; i++) {
    const info = lexemes[i]
    if (info === undefined) continue
    const w = words[i]!
    const day = info.weekday
    if (day !== undefined) weekdays.add(day)
    const full = info.month
    const abbr = info.monthAbbr
    if (full === undefined && abbr === undefined) continue
    const near = (i + 1 < end && isDay(words[i + 1])) || isDay(words[i - 1])
    // "may" is a verb unless a day number stands next to it; abbreviations likewise.
    const month = full ?? (near ? abbr : undefined)
    if (month !== undefined && (w !== 'may' || near)) months.add(month)
  }
  return { months, weekdays }
}

const COUNTRY_OF = new Map<string, string>(
  Object.entries(COUNTRY_NAMES).flatMap(([id, names]) => names.map((n) => [n, id] as const)),
)

/** Multi-word names by their first word, longest first. */
const MULTI_BY_FIRST = new Map<string, string[][]>()
for (const name of MULTI_WORD_NAMES) {
  const parts = name.split(' ')
  const list = MULTI_BY_FIRST.get(parts[0]!) ?? []
  list.push(parts)
  MULTI_BY_FIRST.set(parts[0]!, list)
}

/** A capitalised name of up to three words after in/at/near (global: read with exec from 0). */
const NAME_AFTER_IN = /\b(?:in|at|near) ((?:[A-Z][a-z]+ ?){1,3})/g

/** Gazetteer places and countries `words[0 … end)` name. */
const sitesOf = (
  words: readonly string[],
  lexemes: readonly (Lexeme | undefined)[],
  end: number,
) => {
  const sites = new Set<string>()
  const countries = new Set<string>()
  // One word list: "in the Afghan capital, Kabul" names its site across the comma.
  for (let i = 0; i < end; i++) {
    const info = lexemes[i]
    if (info === undefined) continue
    let { place, country } = info
    let span = 1
    for (const multi of info.multis ?? NONE) {
      if (multi.every((part, k) => i + k < end && words[i + k] === part)) {
        const name = multi.join(' ')
        place = PLACES[name]
        country = COUNTRY_OF.get(name)
        span = multi.length
        break
      }
    }
    if (place) {
      if (place.country) countries.add(place.country)
      if (!place.metonym || SITE_BEFORE.has(words[i - 1] ?? '')) sites.add(place.id)
    } else if (country) {
      countries.add(country)
    }
    i += span - 1
  }
  return { sites, countries }
}

/** Gazetteer places, unknown capitalised places and countries. */
const places = (
  texts: readonly string[],
  words: readonly string[],
  lexemes: readonly (Lexeme | undefined)[],
  end: number,
  named: boolean,
) => {
  // Most texts name no gazetteer place or country (`named`): nothing for sitesOf to read.
  const { sites, countries } = named
    ? sitesOf(words, lexemes, end)
    : { sites: NO_PLACES, countries: NO_PLACES }
  const others = new Set<string>()
  const re = NAME_AFTER_IN
  // Capitalised names after in/at/near (case is lost once normalised); title case skipped: "In".
  // Read in each text as cut, not clause by clause: no match runs into a second clause (a name is
  // letters and single spaces, and no clause end is a letter or a space but the first of " - ",
  // which only adds a space that normalising drops), and the character before a clause is one of
  // its end, not a word character, as at the start of a clause. A randomised test holds it to the
  // clauses. One exec per text instead of one per clause.
  for (const text of texts) {
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      // Capitalised words and single spaces: normalizeText() lower-cases them and drops the space
      // a match may end with, and that is all it does to them.
      const name = (m[1] ?? '').toLowerCase().trimEnd()
      const space = name.indexOf(' ')
      const first = space < 0 ? name : name.slice(0, space)
      if (!first || NOT_PLACES.has(first) || PLACES[first] || COUNTRY_OF.has(first)) continue
      if (PLACES[name] || COUNTRY_OF.has(name) || MULTI_BY_FIRST.has(first)) continue
      others.add(stem(first))
    }
  }
  return { places: sites, otherPlaces: others, countries }
}

/** Stem → the axes it moves: bit 1 up, bit 2 down. */
const AXES_OF_STEM = new Map<string, [string, number][]>()
for (const [axis, up, down] of AXIS_STEMS) {
  for (const [set, bit] of [
    [up, 1],
    [down, 2],
  ] as const) {
    for (const s of set) {
      const list = AXES_OF_STEM.get(s) ?? []
      list.push([axis, bit])
      AXES_OF_STEM.set(s, list)
    }
  }
}

/** The words of every lexicon above, each with all it is. */
const LEXICON = new Map<string, Lexeme>(
  [
    ...Object.keys(NUMBER_WORDS),
    ...Object.keys(ORDINAL_WORDS),
    ...Object.keys(WEEKDAYS),
    ...Object.keys(MONTHS),
    ...Object.keys(MONTH_ABBR),
    ...MULTI_BY_FIRST.keys(),
    ...Object.keys(PLACES),
    ...COUNTRY_OF.keys(),
    ...CLAUSE_WORDS,
    ...BACKGROUND,
    // Words only matchKeys and eventKeys ask about: a word of no lexicon is then one lookup.
    ...SPORT_TEAMS.keys(),
    ...MATCH_WORDS,
    'test',
    ...ANGLE_WORDS,
    ...MATCH_ANGLE_WORDS,
    // A word no pass above reads (its lexeme says nothing to them): readStory asks actorKeysIn
    // about a text only when it has one.
    ...SPELLING_STARTS,
  ].map((w) => [w, lexemeOf(w)]),
)

/** Any other word whose stem moves an axis ("reopened"), by stem. */
const AXIS_LEXEMES = new Map<string, Lexeme>(
  [...AXES_OF_STEM.keys()].map((s) => [
    s,
    withPasses({
      ...lexemeOf(''),
      clauseWord: false,
      background: false,
      axes: AXES_OF_STEM.get(s),
    }),
  ]),
)

const IN_LEXICON = new WordFilter(LEXICON.keys())

/**
 * The first two code units (the second 0 for a word of one) of each stem that moves an axis, by
 * their low 7 bits: a stem keeps the first two characters of its word (stem() only cuts a word
 * of four or more down to three or more, or "axes"-like words of four to two), so a word whose
 * first two are not among them has no stem in AXIS_LEXEMES, and is not stemmed to find out.
 */
const AXIS_STARTS = new Uint8Array(1 << 14)
for (const s of AXES_OF_STEM.keys()) AXIS_STARTS[startOf(s)] = 1

function startOf(w: string): number {
  return ((w.charCodeAt(0) & 127) << 7) | (w.charCodeAt(1) & 127)
}

/** Whether the stem of `w` may be one that moves an axis (never false when it is). */
const mayStartAxisStem = (w: string): boolean => AXIS_STARTS[startOf(w)] === 1

const IN_AXIS_LEXEMES = new WordFilter(AXIS_LEXEMES.keys())
const HAS_SYNONYM = new WordFilter(SYNONYM_OF.keys())

/**
 * The axes the clauses move, each with its bits (1 up, 2 down; undefined when none). Words of a background clause (from "after",
 * "following", "since", "amid"… to the clause's end) are left out: "Internet restored after
 * 48-hour shutdown" goes up only.
 */
const axisBits = (
  clauses: readonly Clause[],
  lexemes: readonly (Lexeme | undefined)[],
): Map<string, number> | undefined => {
  let seen: Map<string, number> | undefined
  for (const { from, to } of clauses) {
    let background = false
    for (let i = from; i < to; i++) {
      const info = lexemes[i]
      if (info === undefined) continue
      if (info.clauseWord) background = false
      else if (info.background) background = true
      else if (!background && info.axes) {
        seen ??= new Map()
        for (const [axis, bit] of info.axes) seen.set(axis, (seen.get(axis) ?? 0) | bit)
      }
    }
  }
  return seen
}

const directionOf = (bits: number): Direction => (bits === 3 ? 0 : bits === 1 ? 1 : -1)

/**
 * The direction of each axis a story speaks of: the headline's where it speaks of the axis (it
 * says what happened; the summary often recalls what happened before), else the summary's. Keys
 * in the order `{ ...directions(body), ...directions(head) }` gave them, each in AXIS_STEMS order:
 * the summary's axes, then the headline's others. The shared empty record when there are none (most
 * stories), with no map or record made.
 */
const storyDirection = (
  head: readonly Clause[],
  body: readonly Clause[],
  lexemes: readonly (Lexeme | undefined)[],
): Readonly<Record<string, Direction>> => {
  const inBody = axisBits(body, lexemes)
  const inHead = axisBits(head, lexemes)
  if (inBody === undefined && inHead === undefined) return NO_DIRECTION
  const out: Record<string, Direction> = {}
  if (inBody !== undefined)
    for (const [axis] of AXIS_STEMS) {
      const bits = inBody.get(axis)
      if (bits !== undefined) out[axis] = directionOf(inHead?.get(axis) ?? bits)
    }
  if (inHead !== undefined)
    for (const [axis] of AXIS_STEMS) {
      const bits = inHead.get(axis)
      if (bits !== undefined && !inBody?.has(axis)) out[axis] = directionOf(bits)
    }
  return out
}

const NONE: readonly never[] = Object.freeze([])
const NO_QUANTITIES: Quantities = NONE

/** The flat form of figures by unit (see Quantities). */
const flatQuantities = (byUnit: ReadonlyMap<string, ReadonlySet<number>>): Quantities => {
  if (byUnit.size === 0) return NO_QUANTITIES
  const out: (string | number)[] = []
  for (const [unit, values] of byUnit) {
    out.push(unit)
    for (const v of values) out.push(v)
  }
  return out
}
const NO_DIRECTION: Readonly<Record<string, Direction>> = Object.freeze({})

const list = <T>(s: ReadonlySet<T>): readonly T[] => (s.size === 0 ? NONE : [...s])

const maskOf = (s: ReadonlySet<number>, first: number): number => {
  let m = 0
  for (const x of s) m |= 1 << (x - first)
  return m
}

/**
 * The facts of one item for the guards (pure).
 * @example storyFacts('Torkham reopens after 25 days').numbers // [25]
 */
export const storyFacts = (title: string, summary = ''): StoryFacts =>
  readStory(title, summary, 0).facts

/**
 * {@link storyFacts} and the keys of the content words of title and summary, in order (fnv1a of
 * each stem), from one normalisation of each text: what storyFeatures needs. Only the first
 * `summaryKeyMax` keys of the summary are made (the facts do not read them).
 */
export const readStory = (
  title: string,
  summary = '',
  summaryKeyMax = Number.POSITIVE_INFINITY,
): { facts: StoryFacts; titleKeys: number[]; summaryKeys: number[]; events: number[] } => {
  // Polish letters are beyond ASCII: an ASCII text (most) is not read for them.
  const asciiTitle = !hasNonAscii(title)
  const asciiSummary = !hasNonAscii(summary)
  const polish = (!asciiTitle && isPolish(title)) || (!asciiSummary && isPolish(summary))
  const read = reading
  read.count = 0
  read.texts = []
  read.passes = 0
  const titleKeys: number[] = []
  const summaryKeys: number[] = []
  const head = clausesOf(title, polish, asciiTitle, read, titleKeys)
  const headEnd = read.count
  const headPasses = read.passes
  read.passes = 0
  keysWanted = summaryKeyMax
  let body: Clause[]
  try {
    body = clausesOf(summary, polish, asciiSummary, read, summaryKeys)
  } finally {
    keysWanted = Number.POSITIVE_INFINITY
  }
  const all = head.concat(body)
  const { words, lexemes, count } = read
  const bodyPasses = read.passes
  const passes = headPasses | bodyPasses
  const direction = storyDirection(
    (headPasses & PASS_AXES) !== 0 ? head : NONE,
    (bodyPasses & PASS_AXES) !== 0 ? body : NONE,
    lexemes,
  )
  const { numbers, quantities } = figures(all, words, lexemes, (passes & PASS_FIGURES) !== 0)
  const { months, weekdays } = (passes & PASS_DATES) !== 0 ? dates(words, lexemes, count) : NO_DATES
  const where = places(read.texts, words, lexemes, count, (passes & PASS_SITES) !== 0)
  const facts: StoryFacts = {
    numbers: list(numbers),
    quantities: flatQuantities(quantities),
    months: maskOf(months, 1),
    weekdays: maskOf(weekdays, 0),
    places: list(where.places),
    otherPlaces: list(where.otherPlaces),
    countries: list(where.countries),
    direction,
  }
  // The marks a story has, in this order (and those below after them), and no key for the others.
  if (SEVERAL_EVENTS.test(title.slice(0, SEVERAL_SPAN))) facts.several = true
  if (polish) facts.folded = true
  // Only the headline's gazetteer places count here: its other names are not read.
  const headWhere =
    (headPasses & PASS_SITES) !== 0 ? sitesOf(words, lexemes, headEnd).sites : NO_PLACES
  const disasters = eventKeys(head, lexemes, titleKeys, headWhere, where)
  if (disasters.length > 0) {
    const phase = eventPhase(title)
    if (phase.onset) facts.onset = true
    if (phase.again) facts.again = true
    if (phase.magnitude !== undefined) facts.magnitude = phase.magnitude
    // A roundup of the day's several events ("two accidents") is news of that day, not a look back.
    if (phase.past && !facts.several) facts.past = true
  }
  if (facts.past || (disasters.length === 0 && reactsToEvent(head, words, titleKeys)))
    facts.aside = true
  const develops = developments(head, words, lexemes)
  if (develops !== 0) facts.develops = develops
  const matches = (passes & PASS_SIDES) !== 0 ? matchKeys(head, all, words, lexemes) : NONE
  const actors = (passes & PASS_SPELLS) !== 0 ? actorKeysIn(words, head, all) : NONE
  const events =
    matches.length === 0 && actors.length === 0 ? disasters : [...disasters, ...matches, ...actors]
  // A long text's words are not kept alive by the reused lists until the next story.
  if (count > READING_KEPT) {
    read.words = []
    read.lexemes = []
  }
  return {
    facts,
    titleKeys,
    summaryKeys,
    events,
  }
}

/**
 * The developments a headline reports (DEVELOPMENTS bits): words of a background clause (from
 * "after", "amid", "as"… to the clause's end or an "and") are left out ("Protests erupt after Imran Khan arrest"
 * reports protests, not the arrest).
 */
const developments = (
  head: readonly Clause[],
  words: readonly string[],
  lexemes: readonly (Lexeme | undefined)[],
): number => {
  let mask = 0
  for (const { from, to } of head) {
    let background = false
    for (let i = from; i < to; i++) {
      const info = lexemes[i]
      const w = words[i]!
      // "… as protests continue" tells what goes on around the development, like "amid".
      if (info?.background || w === 'as' || w === 'while') background = true
      else if (info?.clauseWord) background = false
      else if (!background) mask |= DEVELOPMENTS.get(w) ?? 0
    }
  }
  return mask
}

/** Headline characters the phase patterns read: a hostile title must not cost more. */
const PHASE_SPAN = 300

/** A compound adjective of an event ("quake-hit", "flood-ravaged"): the event is behind the headline. */
const EVENT_ADJECTIVE =
  /\b\p{L}+-(?:hit|struck|stricken|ravaged|battered|affected|devastated|torn)\b/giu

/** A verb of an event happening: the headline is a report of the event itself. */
const IMPACT =
  /\b(?:hits?|strikes?|struck|jolt(?:s|ed)?|rock(?:s|ed)?|shakes?|shook|rattl(?:es?|ed)|kills?|killed|devastat(?:es?|ed)|flatten(?:s|ed)?|topples?|toppled|claims? (?:\S+ ){0,4}lives)\b/iu

/** A magnitude: "6.3-magnitude", "magnitude 6.4", "6.4 quake". */
const MAGNITUDE =
  /\b([3-9]\.\d)\b(?=\s?-?\s?(?:magnitude|quake|earthquake|temblor|tremor))|\bmagnitude[\s-]+([3-9]\.\d)\b/iu

/** A recurrence: "another quake", "new 6.4 earthquake", "fresh tremors", "days after…", "strikes again". */
const AGAIN =
  /\b(?:another|fresh|renewed|again|(?:days?|weeks?|months?) after|more (?:quakes|earthquakes|tremors|aftershocks|floods|blasts|attacks))\b|\bnew\b(?! (?:zealand|york|delhi|jersey|mexico|year|years)\b)/iu

const HOW_TO_HELP = /\bhow (?:to|you can) help\b/i

/** Event nouns in the plural ("Deadliest earthquakes…"); verbs that look plural ("crashes", "attacks") are not among them. */
const SEVERAL_EVENTS_NOUN =
  /\b(?:earthquakes|quakes|tremors|temblors|aftershocks|floods|landslides|avalanches|accidents|collisions|explosions|bombings|shootings|shipwrecks|disasters)\b/iu

/** An event noun or verb in the singular: the headline reports one event. */
const ONE_EVENT =
  /\b(?:earthquake|quake|tremor|temblor|aftershock|flood(?:ing|ed)?|landslide|avalanche|crash(?:es|ed)?|accident|plunges?|collision|derail\w*|blast|attack(?:s|ed)?|explosion|explodes?|bomb|bomber|bombing|shooting|shootout|siege|gunfight|shipwreck|capsiz\w*)\b/iu

/** Whether a headline with an event key reports the event happening, a recurrence, and its magnitude. */
const eventPhase = (title: string): Pick<StoryFacts, 'onset' | 'again' | 'magnitude' | 'past'> => {
  const head = title.slice(0, PHASE_SPAN).replace(EVENT_ADJECTIVE, ' ')
  const m = MAGNITUDE.exec(head)
  const magnitude = m ? Number(m[1] ?? m[2]) : undefined
  const again = AGAIN.test(head)
  return {
    ...(magnitude !== undefined || IMPACT.test(head) ? { onset: true as const } : {}),
    ...(again ? { again: true as const } : {}),
    ...(magnitude !== undefined ? { magnitude } : {}),
    ...(!again && SEVERAL_EVENTS_NOUN.test(head) && !ONE_EVENT.test(head)
      ? { past: true as const }
      : {}),
  }
}

/** Content-word key (fnv1a of a synonym class's first stem) → the event kind it names (lexicon.ts). */
const KIND_OF_KEY = new Map<number, string>(
  Object.entries(EVENT_KINDS).flatMap(([kind, words]) =>
    words.map((w) => [fnv1a(SYNONYM_OF.get(stem(w)) ?? stem(w)), kind] as const),
  ),
)

/** Keys of the casualty classes (lexicon.ts): killed, dead, toll…; injured, wounded… */
const TOLL_KEYS = new Set([fnv1a(stem('kill')), fnv1a(stem('injure'))])

/** Event keys an item has at most (kinds × places). */
const MAX_EVENTS = 8

/** Kinds rare enough that a country places them (one earthquake in a country on one day). */
const COUNTRY_WIDE = new Set(['quake', 'flood', 'crash', 'capsize'])

/**
 * The event keys of a headline: fnv1a of `kind@place` for each event kind the headline names and
 * each gazetteer site its text names (the headline's, else the summary's), or, for a kind of
 * {@link COUNTRY_WIDE} with no site named, each country. Violence needs a site: a country holds
 * several attacks, and clashes at protests, on one day. Empty when the headline names no kind,
 * reacts to an event rather than reporting it (ANGLE_WORDS), or no place is known.
 */
const eventKeys = (
  head: readonly Clause[],
  lexemes: readonly (Lexeme | undefined)[],
  headKeys: readonly number[],
  headSites: ReadonlySet<string>,
  where: { places: ReadonlySet<string>; countries: ReadonlySet<string> },
): number[] => {
  // Most headlines name no kind: their angle is not read.
  let kinds: Set<string> | undefined
  for (const k of headKeys) {
    const kind = KIND_OF_KEY.get(k)
    if (kind) {
      kinds ??= new Set()
      kinds.add(kind)
    }
  }
  if (kinds === undefined) return []
  for (const c of head) {
    for (let i = c.from; i < c.to; i++) if (lexemes[i]?.angle) return []
    // A service piece ("How to help the victims") is not a report of the event either.
    if (HOW_TO_HELP.test(c.raw.slice(0, PHASE_SPAN))) return []
  }
  // An attack is a disaster of one day when it has a toll: news-dev's editor keeps a day's reports
  // of deaths together, while a saga's day (protesters attack, police raid) holds several stories.
  if (kinds.has('violence') && !headKeys.some((k) => TOLL_KEYS.has(k))) kinds.delete('violence')
  if (kinds.size === 0) return []
  const sites = headSites.size > 0 ? headSites : where.places
  const out: number[] = []
  for (const kind of kinds) {
    const at = sites.size > 0 ? sites : COUNTRY_WIDE.has(kind) ? countriesOf(where) : NO_PLACES
    for (const p of at) if (out.length < MAX_EVENTS) out.push(fnv1a(`${kind}@${p}`))
  }
  return out
}

const NO_PLACES: ReadonlySet<string> = new Set()

/** The months and weekdays of the many texts that have no word of them (shared). */
const NO_DATES: { months: ReadonlySet<number>; weekdays: ReadonlySet<number> } = {
  months: new Set(),
  weekdays: new Set(),
}

/** A headline that names an event kind and reacts to it or serves its readers (REACTION_WORDS, "how to help"). */
const reactsToEvent = (
  head: readonly Clause[],
  words: readonly string[],
  headKeys: readonly number[],
): boolean => {
  let kind = false
  for (const k of headKeys) if (KIND_OF_KEY.has(k)) kind = true
  // Most headlines name no kind: their words are not read.
  if (!kind) return false
  for (const c of head) {
    for (let i = c.from; i < c.to; i++) if (REACTION_WORDS.has(words[i]!)) return true
    if (HOW_TO_HELP.test(c.raw.slice(0, PHASE_SPAN))) return true
  }
  return false
}

/** Every match key there can be: story-index.ts asks whether an event key is a match's. */
const MATCH_KEYS: ReadonlySet<number> = new Set(
  [...new Set(SPORT_TEAMS.values())].flatMap((a) =>
    [...new Set(SPORT_TEAMS.values())].filter((b) => a < b).map((b) => fnv1a(`match@${a}+${b}`)),
  ),
)

/** Whether an event key (StoryFeatures `events`) is that of a match rather than a disaster. */
export const isMatchKey = (key: number): boolean => MATCH_KEYS.has(key)

/** The sides of a match at most: a roundup of a tournament's day names more (its own story). */
const MATCH_SIDES = 2

/**
 * The key of a match a report is about: fnv1a of `match@a+b` for the two national sides its text
 * names (one of them in the headline) when it also speaks of a match (MATCH_WORDS, "second Test").
 * News-dev's editor tells one story per match day ("Pakistan v England: second Test, day three –
 * live", "Shakeel leads Pakistan charge…") whatever the angle; story-index.ts joins a day's
 * reports of one key as it does a disaster's. Empty for a text of one side or more than two.
 */
const matchKeys = (
  head: readonly Clause[],
  all: readonly Clause[],
  words: readonly string[],
  lexemes: readonly (Lexeme | undefined)[],
): number[] => {
  for (const c of head)
    for (let i = c.from; i < c.to; i++) {
      const info = lexemes[i]
      if (info?.angle || info?.matchAngle) return []
    }
  const sides = new Set<string>()
  let headSide = false
  let match = false
  for (let k = 0; k < all.length; k++) {
    const { from, to } = all[k]!
    const inHead = k < head.length
    // The words of these lexicons have a lexeme (LEXICON): the rest cost one array read.
    for (let i = from; i < to; i++) {
      const info = lexemes[i]
      if (info === undefined) continue
      const side = info.side
      if (side) {
        sides.add(side)
        if (inHead) headSide = true
      } else if (
        info.matchWord &&
        (words[i] !== 'test' ||
          (i > from && TEST_BEFORE.has(words[i - 1]!)) ||
          (i + 1 < to && TEST_AFTER.has(words[i + 1]!)))
      )
        match = true
    }
  }
  if (!match || !headSide || sides.size !== MATCH_SIDES) return []
  return [fnv1a(`match@${[...sides].sort().join('+')}`)]
}

/** The countries a text names, and those its sites lie in. */
const countriesOf = (where: {
  places: ReadonlySet<string>
  countries: ReadonlySet<string>
}): Set<string> => {
  const out = new Set(where.countries)
  for (const p of where.places) {
    const country = placeCountry(p)
    if (country) out.add(country)
  }
  return out
}

/**
 * Facts that say nothing (no figure, month, weekday, place, country, direction or mark), as most
 * items have: the analysis worker sends a bare flag for them (workers/wire.ts).
 */
export const saysNothing = (f: StoryFacts): boolean => {
  let keys = 0
  for (const _ in f) keys++
  return (
    keys === 8 &&
    f.months === 0 &&
    f.weekdays === 0 &&
    f.numbers.length === 0 &&
    f.quantities.length === 0 &&
    f.places.length === 0 &&
    f.otherPlaces.length === 0 &&
    f.countries.length === 0 &&
    isEmptyRecord(f.direction)
  )
}

const isEmptyRecord = (r: object): boolean => {
  for (const _ in r) return false
  return true
}

/** Facts that say nothing ({@link saysNothing}), with the shared empties: a new object each call. */
export const noFacts = (): StoryFacts => ({
  numbers: NONE,
  quantities: NO_QUANTITIES,
  months: 0,
  weekdays: 0,
  places: NONE,
  otherPlaces: NONE,
  countries: NONE,
  direction: NO_DIRECTION,
})

/**
 * Facts that say nothing, shared by {@link compactFacts}: about half the items of a first import
 * have no facts, and facts are only read.
 */
const NOTHING: StoryFacts = noFacts()

/**
 * The same facts with empty lists, maps and records replaced by the shared empties (facts that say
 * nothing: one shared object, no copy).
 */
export const compactFacts = (f: StoryFacts): StoryFacts =>
  f === NOTHING || saysNothing(f) ? NOTHING : compactedFacts(f)

const compactedFacts = (f: StoryFacts): StoryFacts => {
  const out: StoryFacts = {
    numbers: f.numbers.length === 0 ? NONE : f.numbers,
    quantities: f.quantities.length === 0 ? NO_QUANTITIES : f.quantities,
    months: f.months,
    weekdays: f.weekdays,
    places: f.places.length === 0 ? NONE : f.places,
    otherPlaces: f.otherPlaces.length === 0 ? NONE : f.otherPlaces,
    countries: f.countries.length === 0 ? NONE : f.countries,
    direction: isEmptyRecord(f.direction) ? NO_DIRECTION : f.direction,
  }
  // The marks a text has, in this order, and no key for those it lacks.
  if (f.several) out.several = true
  if (f.folded) out.folded = true
  if (f.onset) out.onset = true
  if (f.again) out.again = true
  if (f.magnitude !== undefined) out.magnitude = f.magnitude
  if (f.past) out.past = true
  if (f.aside) out.aside = true
  if (f.develops) out.develops = f.develops
  return out
}

/** The clauses of a text as the passes read them: each one's raw text and words (for tests). */
export const clauseWords = (text: string, polish = false): { raw: string; words: string[] }[] => {
  const read = newReading()
  return clausesOf(text, polish, !hasNonAscii(text), read, []).map(({ raw, from, to }) => ({
    raw,
    words: read.words.slice(from, to),
  }))
}
