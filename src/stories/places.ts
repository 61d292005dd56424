/** A small gazetteer of the region (Pakistan, Afghanistan and where their news happens) for story guards. */
import { dict } from '../util/dict.js'

/** One place: its id, the parents it lies in, and how it is used in headlines. */
export interface Place {
  id: string
  /** Places this one lies in (transitively closed by {@link placeAncestors}). */
  parents: readonly string[]
  /** A border crossing known by two names on its two sides (Chaman / Spin Boldak). */
  crossing?: boolean
  /** A capital that headlines use for its government ("Kabul rejects…"): a site only after in/at/near. */
  metonym?: boolean
  /** The country it is in, or the country it names (ids of COUNTRIES). */
  country?: string
}

/** Countries, with the words that name them (demonyms, governments). Normalised spellings. */
export const COUNTRY_NAMES: Readonly<Record<string, readonly string[]>> = {
  pakistan: ['pakistan', 'pakistani', 'pakistanis'],
  afghanistan: ['afghanistan', 'afghan', 'afghans', 'islamic emirate'],
  iran: ['iran', 'iranian', 'iranians'],
  india: ['india', 'indian', 'indians'],
  china: ['china', 'chinese'],
  turkiye: ['turkey', 'turkiye', 'turkish'],
  qatar: ['qatar', 'qatari'],
  'saudi-arabia': ['saudi arabia', 'saudi'],
  uae: ['uae', 'emirates', 'emirati'],
  uzbekistan: ['uzbekistan', 'uzbek'],
  tajikistan: ['tajikistan', 'tajik'],
  turkmenistan: ['turkmenistan', 'turkmen'],
  russia: ['russia', 'russian'],
  us: ['united states', 'american', 'washington'],
  uk: ['united kingdom', 'britain', 'british', 'london'],
  'south-africa': ['south africa', 'south african'],
  'sri-lanka': ['sri lanka', 'sri lankan'],
  zimbabwe: ['zimbabwe'],
  bangladesh: ['bangladesh', 'bangladeshi'],
  // Beyond the region: where the disasters and wars that share its news pages happen
  syria: ['syria', 'syrian', 'syrians'],
  iraq: ['iraq', 'iraqi', 'iraqis'],
  israel: ['israel', 'israeli', 'israelis'],
  ukraine: ['ukraine', 'ukrainian', 'ukrainians'],
  egypt: ['egypt', 'egyptian'],
  libya: ['libya', 'libyan'],
  morocco: ['morocco', 'moroccan', 'moroccans'],
  nepal: ['nepal', 'nepalese'],
  japan: ['japan', 'japanese'],
  indonesia: ['indonesia', 'indonesian'],
  bulgaria: ['bulgaria', 'bulgarian'],
}

const p = (id: string, parents: string[], extra: Partial<Place> = {}): Place => ({
  id,
  parents,
  ...extra,
})

/** Places below country level, by normalised name (a few have several names). */
export const PLACES: Readonly<Record<string, Place>> = dict({
  // Pakistan: provinces and territories
  'khyber pakhtunkhwa': p('kp', [], { country: 'pakistan' }),
  kp: p('kp', [], { country: 'pakistan' }),
  punjab: p('punjab', [], { country: 'pakistan' }),
  sindh: p('sindh', [], { country: 'pakistan' }),
  balochistan: p('balochistan', [], { country: 'pakistan' }),
  'gilgit baltistan': p('gilgit-baltistan', [], { country: 'pakistan' }),
  // Pakistan: cities and districts
  islamabad: p('islamabad', [], { metonym: true, country: 'pakistan' }),
  rawalpindi: p('rawalpindi', ['punjab']),
  lahore: p('lahore', ['punjab']),
  faisalabad: p('faisalabad', ['punjab']),
  multan: p('multan', ['punjab']),
  sialkot: p('sialkot', ['punjab']),
  karachi: p('karachi', ['sindh']),
  hyderabad: p('hyderabad', ['sindh']),
  quetta: p('quetta', ['balochistan']),
  gwadar: p('gwadar', ['balochistan']),
  mastung: p('mastung', ['balochistan']),
  zhob: p('zhob', ['balochistan']),
  'qilla abdullah': p('qilla-abdullah', ['balochistan']),
  chaman: p('chaman', ['chaman-crossing', 'qilla-abdullah']),
  peshawar: p('peshawar', ['kp']),
  khyber: p('khyber', ['kp']),
  'landi kotal': p('landi-kotal', ['khyber']),
  torkham: p('torkham', ['khyber', 'nangarhar'], { crossing: true }),
  bajaur: p('bajaur', ['kp']),
  mohmand: p('mohmand', ['kp']),
  kurram: p('kurram', ['kp']),
  parachinar: p('parachinar', ['kurram']),
  hangu: p('hangu', ['kp']),
  thall: p('thall', ['hangu']),
  orakzai: p('orakzai', ['kp']),
  kohat: p('kohat', ['kp']),
  bannu: p('bannu', ['kp']),
  'lakki marwat': p('lakki-marwat', ['kp']),
  'dera ismail khan': p('dera-ismail-khan', ['kp']),
  'di khan': p('dera-ismail-khan', ['kp']),
  'south waziristan': p('south-waziristan', ['kp']),
  wana: p('wana', ['south-waziristan']),
  'north waziristan': p('north-waziristan', ['kp']),
  miranshah: p('miranshah', ['north-waziristan']),
  'ghulam khan': p('ghulam-khan', ['north-waziristan', 'khost'], { crossing: true }),
  'angoor adda': p('angoor-adda', ['south-waziristan', 'paktika'], { crossing: true }),
  swat: p('swat', ['kp']),
  mardan: p('mardan', ['kp']),
  charsadda: p('charsadda', ['kp']),
  nowshera: p('nowshera', ['kp']),
  chitral: p('chitral', ['kp']),
  gilgit: p('gilgit', ['gilgit-baltistan']),
  skardu: p('skardu', ['gilgit-baltistan']),
  muzaffarabad: p('muzaffarabad', []),
  // Afghanistan
  kabul: p('kabul', [], { metonym: true, country: 'afghanistan' }),
  kandahar: p('kandahar', []),
  'spin boldak': p('spin-boldak', ['chaman-crossing', 'kandahar']),
  herat: p('herat', []),
  'islam qala': p('islam-qala', ['herat'], { crossing: true }),
  nangarhar: p('nangarhar', []),
  jalalabad: p('jalalabad', ['nangarhar']),
  kunar: p('kunar', []),
  nuristan: p('nuristan', []),
  laghman: p('laghman', []),
  paktika: p('paktika', []),
  paktia: p('paktia', []),
  khost: p('khost', []),
  ghazni: p('ghazni', []),
  helmand: p('helmand', []),
  'lashkar gah': p('lashkar-gah', ['helmand']),
  zabul: p('zabul', []),
  uruzgan: p('uruzgan', []),
  farah: p('farah', []),
  nimroz: p('nimroz', []),
  badakhshan: p('badakhshan', []),
  takhar: p('takhar', []),
  kunduz: p('kunduz', []),
  balkh: p('balkh', []),
  'mazar i sharif': p('mazar-i-sharif', ['balkh']),
  'mazar sharif': p('mazar-i-sharif', ['balkh']),
  hairatan: p('hairatan', ['balkh'], { crossing: true }),
  baghlan: p('baghlan', []),
  bamiyan: p('bamiyan', []),
  parwan: p('parwan', []),
  salang: p('salang', ['parwan']),
  panjshir: p('panjshir', []),
  'hindu kush': p('hindu-kush', []),
  // Where the region's diplomacy and migration happen
  doha: p('doha', [], { country: 'qatar' }),
  istanbul: p('istanbul', [], { country: 'turkiye' }),
  ankara: p('ankara', [], { metonym: true, country: 'turkiye' }),
  tehran: p('tehran', [], { metonym: true, country: 'iran' }),
  mashhad: p('mashhad', [], { country: 'iran' }),
  beijing: p('beijing', [], { metonym: true, country: 'china' }),
  'new delhi': p('delhi', [], { metonym: true, country: 'india' }),
  delhi: p('delhi', [], { metonym: true, country: 'india' }),
  moscow: p('moscow', [], { metonym: true, country: 'russia' }),
  riyadh: p('riyadh', [], { metonym: true, country: 'saudi-arabia' }),
  jeddah: p('jeddah', [], { country: 'saudi-arabia' }),
  dubai: p('dubai', [], { country: 'uae' }),
  'abu dhabi': p('abu-dhabi', [], { metonym: true, country: 'uae' }),
  tashkent: p('tashkent', [], { metonym: true, country: 'uzbekistan' }),
  termez: p('termez', [], { country: 'uzbekistan' }),
  dushanbe: p('dushanbe', [], { metonym: true, country: 'tajikistan' }),
  geneva: p('geneva', []),
})

/** Names of several words, longest first, so "spin boldak" wins over a shorter match. */
export const MULTI_WORD_NAMES: readonly string[] = [
  ...Object.keys(PLACES),
  ...Object.values(COUNTRY_NAMES).flat(),
]
  .filter((n) => n.includes(' '))
  .sort((a, b) => b.split(' ').length - a.split(' ').length)

const byId = new Map(Object.values(PLACES).map((pl) => [pl.id, pl]))

/** Every place a place lies in, itself included (parents followed transitively). */
export const placeAncestors = (id: string): Set<string> => {
  const out = new Set<string>()
  const stack = [id]
  while (stack.length > 0) {
    const cur = stack.pop()!
    if (out.has(cur)) continue
    out.add(cur)
    for (const parent of byId.get(cur)?.parents ?? []) stack.push(parent)
  }
  return out
}

/** Crossing groups: places known by two names on the two sides of one border gate. */
const CROSSING_GROUPS = new Set(['chaman-crossing'])

/**
 * Whether two place ids can describe one event: the same place, one inside the other, or the two
 * names of one border crossing.
 * @example placesCompatible('torkham', 'khyber') // true
 * @example placesCompatible('torkham', 'chaman') // false
 */
export const placesCompatible = (a: string, b: string): boolean => {
  if (a === b) return true
  const up = placeAncestors(a)
  const down = placeAncestors(b)
  if (up.has(b) || down.has(a)) return true
  for (const x of up) if (down.has(x) && CROSSING_GROUPS.has(x)) return true
  return false
}

/**
 * The country a place lies in (its own, or that of a place it lies in), or undefined.
 * @example placeCountry('peshawar') // 'pakistan'
 */
export const placeCountry = (id: string): string | undefined => {
  for (const a of placeAncestors(id)) {
    const country = byId.get(a)?.country
    if (country) return country
  }
  return undefined
}
