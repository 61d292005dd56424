/** Actor + development keys (pure): a named person and what a headline says happened to them, for a saga's reports that share few words. */
import { tokenize } from '../topics/text.js'
import { PURPOSE } from './lexicon.js'
import { fnv1a, WordFilter } from './text.js'

/**
 * People a saga's headlines follow, by id: each spelling a report may use (English, the Polish
 * inflections fold.ts leaves, Urdu/Persian script). The last word of the first spelling is the
 * surname a headline may use alone ("ex-PM Khan") once the report names the person in full.
 */
const ACTORS: Readonly<Record<string, readonly string[]>> = {
  'imran-khan': ['imran khan', 'imran kahn', 'imrana khana', 'imranem khanem', 'عمران خان'],
  'shehbaz-sharif': ['shehbaz sharif', 'shahbaz sharif', 'szehbaz szarif', 'شہباز شریف'],
  'nawaz-sharif': ['nawaz sharif', 'nawaza szarifa', 'نواز شریف'],
  'maryam-nawaz': ['maryam nawaz', 'مریم نواز'],
  'bilawal-bhutto': ['bilawal bhutto', 'bilawal zardari', 'بلاول بھٹو'],
  'asif-zardari': ['asif zardari', 'asif ali zardari', 'آصف زرداری'],
  'asim-munir': ['asim munir', 'عاصم منیر'],
  'qamar-bajwa': ['qamar bajwa', 'qamar javed bajwa', 'باجوہ'],
  'pervez-musharraf': ['pervez musharraf', 'perweza muszarafa', 'پرویز مشرف'],
  'arif-alvi': ['arif alvi', 'عارف علوی'],
  'anwaar-kakar': ['anwaar kakar', 'anwaar ul haq kakar', 'انوار الحق کاکڑ'],
  'ashraf-ghani': ['ashraf ghani', 'aszraf ghani', 'اشرف غنی'],
  'hamid-karzai': ['hamid karzai', 'حامد کرزی'],
  'abdullah-abdullah': ['abdullah abdullah', 'عبدالله عبدالله'],
  'hibatullah-akhundzada': ['hibatullah akhundzada', 'هبت الله آخندزاده'],
  'zabihullah-mujahid': ['zabihullah mujahid', 'ذبیح الله مجاهد'],
  'amir-muttaqi': ['amir khan muttaqi', 'amir muttaqi', 'امیرخان متقی'],
  'abdul-baradar': ['abdul ghani baradar', 'mullah baradar', 'ملا برادر'],
  'sirajuddin-haqqani': ['sirajuddin haqqani', 'سراج الدین حقانی'],
  'zalmay-khalilzad': ['zalmay khalilzad', 'زلمی خلیلزاد'],
  'shah-qureshi': ['shah mahmood qureshi', 'شاہ محمود قریشی'],
}

/**
 * Developments a saga's headline reports, by kind: one UTC day of an actor holds one story per
 * kind (news-dev's editor: the arrest; the protests it sparks; the hearing; troops deployed; the
 * ruling; bail).
 */
const KINDS: Readonly<Record<string, string>> = {
  arrest: 'arrest arrests arrested detain detains detained nab nabs nabbed crackdown cracks',
  release: 'bail release releases released freed frees reprieve acquit acquits acquitted',
  ruling:
    'rules ruled ruling verdict declares declared illegal unlawful invalid sentenced sentences convicted disqualified disqualifies',
  hearing: 'hearing appears appear indicted indicts remand remands remanded',
  protest:
    'protest protests protesters protesting riot riots rioting unrest violence anger turmoil chaos clashes uproar',
  troops: 'troops army deploy deploys deployed',
  talks: 'talks meets meeting dialogue negotiations summit',
  visit: 'visit visits visited arrives trip',
  ban: 'ban bans banned outlaws outlawed',
  resign: 'resign resigns resigned quits',
  charge: 'charged charges',
  return: 'fly flies flew return returns returned',
}

const KIND_OF = new Map<string, string>(
  Object.entries(KINDS).flatMap(([kind, words]) => words.split(' ').map((w) => [w, kind] as const)),
)

/**
 * Words after which a headline tells what came before or around its news ("protests over his
 * arrest", "army deployed as unrest continues", "ahead of his hearing"), to the clause's end or
 * an "and"/"but".
 */
const BACKGROUND = new Set(
  'after following since amid despite until as while ahead over against'.split(' '),
)
const CLAUSE_RESET = new Set(['and', 'but'])

/** Verbs whose subject is the cause, not the news: "Imran Khan's arrest sparks violence" reports violence. */
const CAUSES = new Set(
  'sparks sparked sparking stokes stoked fuels fueled fuelled triggers triggered prompts prompted provokes provoked'.split(
    ' ',
  ),
)

/** Words of a person's circle: "Imran Khan's supporters arrested" is news of them, not of him. */
const CIRCLE = new Set(
  'supporters followers loyalists aides workers activists allies relatives family members officials'.split(
    ' ',
  ),
)

/** Role words a headline may name a person by: "ex-PM", "former prime minister", "ousted premier". */
const ROLE_BEFORE = new Set('former ex ousted jailed detained deposed arrested'.split(' '))
const ROLE = new Set('pm premier leader minister'.split(' '))

/** Spellings as word lists (normalised like the texts) with their actor, by first word: a text's word costs one lookup. */
const SPELLINGS = new Map<string, (readonly [readonly string[], string])[]>()
for (const [id, names] of Object.entries(ACTORS))
  for (const name of names) {
    const parts = tokenize(name)
    const list = SPELLINGS.get(parts[0]!) ?? []
    list.push([parts, id])
    SPELLINGS.set(parts[0]!, list)
  }

/** The words a spelling starts with: a text with none of them names no actor (facts.ts reads them as it reads its words). */
export const SPELLING_STARTS: readonly string[] = [...SPELLINGS.keys()]

/** Most words of a text start no spelling: ruled out without a lookup (see WordFilter). */
const MAY_START_SPELLING = new WordFilter(SPELLINGS.keys())

/** Surname → actor, from each actor's first spelling. */
const SURNAMES = new Map<string, string>(
  Object.entries(ACTORS).map(([id, names]) => [tokenize(names[0]!).at(-1)!, id] as const),
)

/** Every key there can be: story-index.ts asks whether an event key is an actor's. */
const ACTOR_KEYS: ReadonlySet<number> = new Set(
  Object.keys(ACTORS).flatMap((id) =>
    [id, `${id}~circle`].flatMap((a) => Object.keys(KINDS).map((k) => keyOf(a, k))),
  ),
)

function keyOf(actor: string, kind: string): number {
  return fnv1a(`actor@${actor}+${kind}`)
}

/** Whether an event key (StoryFeatures `events`) is an actor's development. */
export const isActorKey = (key: number): boolean => ACTOR_KEYS.has(key)

/** Keys an item has at most: a headline of one person and a few developments. */
const MAX_KEYS = 6

/** A clause as a range of a list of words: `words[from … to)`. */
export interface WordRange {
  readonly from: number
  readonly to: number
}

/** The actors named in full in `words[from … to)`. */
const namedIn = (words: readonly string[], from: number, to: number, into: Set<string>): void => {
  for (let i = from; i < to; i++) {
    const w = words[i]!
    const spellings = MAY_START_SPELLING.mayHold(w) ? SPELLINGS.get(w) : undefined
    if (spellings)
      for (const [parts, id] of spellings)
        if (parts.every((p, k) => i + k < to && words[i + k] === p)) into.add(id)
  }
}

/**
 * The actor + development keys of a report: fnv1a of `actor@person+kind` for each person its
 * headline names (in full; by surname, or by a role such as "ex-PM", when the report names
 * exactly that one person of {@link ACTORS} in full) and each development kind its headline
 * reports outside its background clauses. A headline about a person's supporters, aides or
 * relatives keys their circle (`person~circle`), not the person. Empty when the report names no
 * such person or its headline no development.
 * Its clauses are ranges of one list of words (facts.ts reads a story's words into one list).
 * @param words the report's normalised words
 * @param head the headline's clauses
 * @param all every clause of the report, headline first
 * @example actorKeysIn(['imran', 'khan', 'arrested'], [{ from: 0, to: 3 }], [{ from: 0, to: 3 }]) // [key of imran-khan+arrest]
 */
export const actorKeysIn = (
  words: readonly string[],
  head: readonly WordRange[],
  all: readonly WordRange[],
): number[] => {
  const named = new Set<string>()
  for (const c of all) namedIn(words, c.from, c.to, named)
  if (named.size === 0) return []
  const actors = new Set<string>()
  let role = false
  const kinds = new Set<string>()
  const circleKinds = new Set<string>()
  for (const { from, to } of head) {
    namedIn(words, from, to, actors)
    let background = false
    let circle = false
    const clause: string[] = []
    for (let i = from; i < to; i++) {
      const w = words[i]!
      const before = i > from ? words[i - 1]! : ''
      const surname = SURNAMES.get(w)
      if (surname && named.has(surname)) actors.add(surname)
      if (ROLE.has(w) && (ROLE_BEFORE.has(before) || before === 'prime')) role = true
      if (CIRCLE.has(w)) circle = true
      if (CLAUSE_RESET.has(w)) background = false
      else if (BACKGROUND.has(w)) background = true
      else if (w === 'to' && PURPOSE.has(i + 1 < to ? words[i + 1]! : '')) background = true
      else if (CAUSES.has(w)) clause.length = 0
      else if (!background) {
        const kind = KIND_OF.get(w)
        if (kind) clause.push(kind)
      }
    }
    for (const k of clause) (circle ? circleKinds : kinds).add(k)
  }
  // A role names a person only when the report names one person of the lexicon.
  if (actors.size === 0 && role && named.size === 1) for (const id of named) actors.add(id)
  const out: number[] = []
  for (const a of actors) {
    for (const k of kinds) if (out.length < MAX_KEYS) out.push(keyOf(a, k))
    for (const k of circleKinds) if (out.length < MAX_KEYS) out.push(keyOf(`${a}~circle`, k))
  }
  return out
}
