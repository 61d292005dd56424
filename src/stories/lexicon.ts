/** Words the story guards read: figures, dates, event directions (English news wording). */
import { dict } from '../util/dict.js'
import { stem } from './text.js'

const indexed = (words: string, first: number): Readonly<Record<string, number>> =>
  dict(Object.fromEntries(words.split(' ').map((w, i) => [w, first + i])))

/** Cardinal words. "one" is left out: "one of", "one-day" say no figure. */
export const NUMBER_WORDS: Readonly<Record<string, number>> = dict({
  ...indexed(
    'two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty',
    2,
  ),
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
})

/** Ordinal words; they count only before a noun of {@link ORDINAL_NOUNS}. */
export const ORDINAL_WORDS = indexed(
  'first second third fourth fifth sixth seventh eighth ninth tenth',
  1,
)

/** Nouns that make an ordinal a figure of the event ("third round", "second ODI"). */
export const ORDINAL_NOUNS: ReadonlySet<string> = new Set(
  'round phase test odi t20 t20i match case session meeting dialogue summit day week quarter review tranche instalment installment wave leg stage batch'.split(
    ' ',
  ),
)

/** Multipliers written after a figure ("100k", "1.2bn", "45 million"). */
export const SCALES: Readonly<Record<string, number>> = dict({
  k: 1e3,
  thousand: 1e3,
  lakh: 1e5,
  crore: 1e7,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
})

/** Words right before a figure that make it an amount, not part of a name like "KSE-100". */
export const CURRENCIES: ReadonlySet<string> = new Set(
  'rs pkr usd us afn af eur gbp inr'.split(' '),
)

/** Words between a figure and what it counts ("Rs2.04 per litre", "40 per cent of"). */
export const UNIT_SKIP: ReadonlySet<string> = new Set(
  'per pc percent cent of to the a an and or more than over at least some about nearly around in on by from'.split(
    ' ',
  ),
)

/** Month names (1–12) and the abbreviations that count next to a day number. */
export const MONTHS = indexed(
  'january february march april may june july august september october november december',
  1,
)
export const MONTH_ABBR: Readonly<Record<string, number>> = dict({
  ...indexed('jan feb mar apr', 1),
  ...indexed('jun jul aug sep', 6),
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
})

/** Weekdays, 0 = Sunday. */
export const WEEKDAYS = indexed('sunday monday tuesday wednesday thursday friday saturday', 0)

/**
 * Event axes: words for each direction. A report cannot go both ways on one axis, so two texts
 * that do ("reopens" / "closed again", "talks begin" / "talks collapse") are two stories.
 */
const AXES: Readonly<Record<string, { up: string; down: string }>> = {
  // crossings, roads, schools, talks, services
  operation: {
    up: 'back open opens opened reopen reopens reopened resume resumes resumed restore restores restored lift lifts lifted unblock begin begins began start starts started launch launches launched kicks commence commences continue continues extend extends extended',
    down: 'close closes closed closure shut shuts shutdown suspend suspends suspended suspension halt halts halted seal sealed block blocks blocked cut cuts collapse collapses collapsed fail fails failed end ends ended stall stalls stalled blackout',
  },
  // prices, indices, figures
  level: {
    up: 'rise rises rose risen gain gains gained soar soars soared jump jumps jumped climb climbs climbed surge surges surged hike hikes hiked raise raises raised increase increases increased',
    down: 'fall falls fell fallen drop drops dropped shed sheds plunge plunges plunged slump slumps slumped decline declines declined cut cuts reduce reduces reduced lower lowers lowered cheaper slide slides slid tumble tumbles tumbled decrease decreases decreased dip dips dipped',
  },
  custody: {
    up: 'arrest arrests arrested detain detains detained',
    down: 'release releases released freed',
  },
  decision: {
    up: 'approve approves approved accept accepts accepted endorse endorses endorsed ratify ratifies ratified blame blames blamed accuse accuses accused',
    down: 'reject rejects rejected refuse refuses refused deny denies denied dismiss dismisses dismissed veto vetoes vetoed',
  },
}

/** The axes with their words stemmed (text.ts `stem`), as the texts are. */
export const AXIS_STEMS: readonly (readonly [string, ReadonlySet<string>, ReadonlySet<string>])[] =
  Object.entries(AXES).map(([axis, { up, down }]) => [
    axis,
    new Set(up.split(' ').map(stem)),
    new Set(down.split(' ').map(stem)),
  ])

/** Words that open a clause about what came before ("reopens after a three-week closure"). */
export const BACKGROUND: ReadonlySet<string> = new Set(
  'after following since amid despite until'.split(' '),
)

/**
 * Developments of a saga a headline can report (outside its background clauses): news-dev's editor
 * tells each apart on one day (an arrest; the protests it sparks; troops deployed; bail; a
 * suspect's flight home; charges). Bit of each kind by word.
 */
export const DEVELOPMENTS: ReadonlyMap<string, number> = new Map(
  (
    [
      [
        1,
        'protest protests protesters protesting riot riots rioting unrest anger angry violence violent turmoil chaos uproar',
      ],
      // Troops deployed, not troops named: "probe into claims its troops killed civilians" or
      // "Pentagon to interview more troops" report no deployment.
      [2, 'deploy deploys deployed deployment'],
      [4, 'bail freed frees release releases released'],
      [8, 'fly flies flying flew return returns returning returned'],
      [16, 'charged'],
    ] as const
  ).flatMap(([bit, words]) => words.split(' ').map((w) => [w, bit] as const)),
)

/** Verbs of a purpose clause: "troops deployed to halt unrest" reports troops, not unrest. */
export const PURPOSE: ReadonlySet<string> = new Set(
  'halt quell curb contain stop calm counter'.split(' '),
)

/** DEVELOPMENTS bits that a headline tells of only when they are its news: protests, troops, a flight home. */
export const DEVELOPMENT_CONSEQUENCES = 1 | 2 | 8

/** Words that start a new clause for the direction of an event. */
export const CLAUSE_WORDS: ReadonlySet<string> = new Set('as but while and'.split(' '))

/** Words before a capital that make it the site of an event rather than its government. */
export const SITE_BEFORE: ReadonlySet<string> = new Set(
  'in at near outside inside across around capital'.split(' '),
)

/** Capitalised words after in/at/near that are not places. */
export const NOT_PLACES: ReadonlySet<string> = new Set([
  ...'the a an this that his her their its our which what'.split(' '),
  ...Object.keys(MONTHS),
  ...Object.keys(WEEKDAYS),
])

/**
 * Synonym classes of news headlines: outlets that do not share each other's words still name an
 * event with one of these ("strong quake hits" / "powerful earthquake strikes"). Every word of a
 * class counts as its first word for similarity; the guards read the words themselves.
 */
const SYNONYM_CLASSES: readonly string[] = [
  'kill killed kills killing dead death deaths die died dies dying slain toll lives',
  'hit hits strike strikes struck jolt jolts jolted rock rocks rocked shake shakes shook rattle rattles rattled',
  'strong powerful major massive huge deadly devastating',
  'earthquake earthquakes quake quakes tremor tremors temblor',
  'west western',
  'east eastern',
  'north northern',
  'south southern',
  'northwest northwestern',
  'southwest southwestern',
  'blast blasts explosion explosions bomb bombs bomber bombing bombings explode explodes exploded',
  'attack attacks attacked assault raid raids',
  'arrest arrests arrested detain detains detained detention custody nab nabbed',
  'injure injured injuries injury wound wounded hurt',
  'protest protests protesters protester demonstration demonstrations rally rallies',
  'crash crashes crashed accident plunge plunges plunged',
  'shoot shoots shooting shootings shootout gunfire gunman gunmen gunbattle',
  'flood floods flooding flooded floodwaters',
  'capsize capsizes capsized drown drowns drowned',
  'flog flogs flogging flogged lash lashes lashed lashing lashings whip whipped',
  'siege hostage hostages',
  'border frontier',
  'talks talk negotiations negotiate',
  'ban bans banned bar bars barred',
  'university universities college colleges',
  'woman women female',
  'court courts judge judges',
  'pm premier',
  'rescue rescuers rescued rescuer',
  'survivor survivors',
]

/** Stem (text.ts `stem`) → the stem of its class's first word. */
export const SYNONYM_OF: ReadonlyMap<string, string> = new Map(
  SYNONYM_CLASSES.flatMap((line) => {
    const words = line.split(' ').map(stem)
    return words.map((w) => [w, words[0]!] as const)
  }),
)

/**
 * Kinds of disaster a headline reports, each named by the first words of synonym classes above (or
 * a word of its own): the reports of one disaster on one day name its kind and its place, however
 * else their words differ (story-index.ts lowers the bar for them). Violence is one kind: one
 * attack is a "blast", a "suicide bombing", an "attack" or a "shooting" depending on the outlet.
 * Political developments (an arrest, protests, a ban, talks) are not kinds: one day of a saga
 * holds several of them at one place (arrest → protests → army deployed), each its own story.
 */
export const EVENT_KINDS: Readonly<Record<string, readonly string[]>> = {
  quake: ['earthquake', 'aftershock'],
  violence: ['blast', 'attack', 'shoot', 'siege', 'suicide', 'militant', 'gunfight'],
  crash: ['crash', 'derail', 'collision'],
  flood: ['flood', 'landslide', 'avalanche'],
  capsize: ['capsize', 'shipwreck'],
}

/**
 * Headline words of a reaction to an event or of its aftermath rather than a report of it: a
 * headline with one reports another development ("Taliban deny involvement in mosque bombing",
 * "White House condemns attack", "survivors traumatised"), so it gets no event key.
 */
export const ANGLE_WORDS: ReadonlySet<string> = new Set(
  (
    'condemn condemns condemned denies deny denied claim claims claimed responsibility blame blames ' +
    'blamed probe inquiry investigation ' +
    'investigate lapse lapses vow vows vowed warn warns warned react reacts reaction tribute ' +
    'tributes pray prayers aid donate donates appeal fallout sympathy condolence ' +
    'condolences solidarity suspect suspects analysis lessons economy economic donors donation ' +
    'donations fundraising blood interview conversation papers'
  ).split(' '),
)

/**
 * Headline words of others' response to an event (reactions, help, its economy, an interview about
 * it): a piece with one is another story than the event's reports, whatever words they share.
 * Survivors, mourning and the aftermath are the event's own story on its day (news-dev's editor).
 */
export const REACTION_WORDS: ReadonlySet<string> = new Set(
  (
    'condemn condemns condemned denies deny denied blame blames blamed vow vows vowed warn warns ' +
    'warned react reacts reaction tribute tributes pray prayers aid donate donates appeal sympathy ' +
    'condolence condolences solidarity analysis lessons economy economic donors donation ' +
    'donations fundraising blood interview conversation papers'
  ).split(' '),
)

/**
 * National sides of cricket (and the other sports a Pakistan–Afghanistan feed carries), by the
 * last word of their name as tokenize gives it ("new zealand" → zealand, "sri lanka" → lanka).
 */
export const SPORT_TEAMS: ReadonlyMap<string, string> = new Map(
  (
    'pakistan:pakistan afghanistan:afghanistan england:england india:india australia:australia ' +
    'zealand:new-zealand lanka:sri-lanka bangladesh:bangladesh indies:west-indies ' +
    'zimbabwe:zimbabwe ireland:ireland netherlands:netherlands scotland:scotland nepal:nepal'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
)

/**
 * Words only a report of a match uses: with two sides named they make the match's key. "test"
 * is not one ("nuclear test"): an ordinal before it, or "match"/"series" after it, is.
 */
export const MATCH_WORDS: ReadonlySet<string> = new Set(
  (
    'cricket t20 t20i t20is odi odis wicket wickets innings batsman batter batters bowler bowlers ' +
    'bowled bowling batting century centuries stumps'
  ).split(' '),
)

/** Words that make "test" a match (before it: "second Test"; after it: "Test series"). */
export const TEST_BEFORE: ReadonlySet<string> = new Set(
  'first second third fourth fifth 1st 2nd 3rd 4th 5th'.split(' '),
)
export const TEST_AFTER: ReadonlySet<string> = new Set('match series squad win victory'.split(' '))

/**
 * Headline words of what someone says of a match rather than of the match ("Stokes lauds
 * England's series win", "Stokes says victory is not just another series"): no match key, as
 * {@link ANGLE_WORDS} give no event key.
 */
export const MATCH_ANGLE_WORDS: ReadonlySet<string> = new Set(
  'says say said lauds laud hails hail praises praise admits insists believes reflects interview'.split(
    ' ',
  ),
)
