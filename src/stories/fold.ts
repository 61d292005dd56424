/** Cross-language folding of story words (pure): Polish, Urdu, Persian and Pashto news words to the English word the story code reads. */
import { normalizeText } from '../topics/text.js'
import { dict } from '../util/dict.js'

/**
 * Polish word beginnings (normalised: diacritics gone, ł → l) → the English word they report.
 * Polish inflects by endings ("Pakistanie", "Pakistanu", "pakistańscy"; "zginęło", "zginęły"), so
 * a beginning folds every form; the longest one that matches wins. Only events, places and the
 * words that carry a report (who, what happened to whom) are listed: a small lexicon of our own.
 */
const POLISH_PREFIXES: Readonly<Record<string, string>> = dict({
  // countries and places
  pakistan: 'pakistan',
  afganistan: 'afghanistan',
  afgan: 'afghan',
  kabul: 'kabul',
  karacz: 'karachi',
  peszawar: 'peshawar',
  kwet: 'quetta',
  islamabad: 'islamabad',
  lahor: 'lahore',
  beludzystan: 'balochistan',
  waziristan: 'waziristan',
  kandahar: 'kandahar',
  herat: 'herat',
  torkham: 'torkham',
  salang: 'salang',
  indyjsk: 'india',
  chinsk: 'china',
  chiny: 'china',
  iran: 'iran',
  turcj: 'turkey',
  tureck: 'turkey',
  syri: 'syria',
  syryjsk: 'syria',
  marok: 'morocco',
  katar: 'qatar',
  rosj: 'russia',
  rosyjsk: 'russia',
  bulgari: 'bulgaria',
  brytyjsk: 'british',
  amerykansk: 'american',
  // people and groups
  talib: 'taliban',
  premier: 'premier',
  prezydent: 'president',
  minist: 'minister',
  policj: 'police',
  policjant: 'police',
  posterunk: 'police',
  posterunek: 'police',
  zolnierz: 'soldiers',
  wojsk: 'army',
  armi: 'army',
  bojownik: 'militants',
  terroryst: 'terrorist',
  kobiet: 'women',
  kobiety: 'women',
  dziewcz: 'girls',
  dzieci: 'children',
  uczniow: 'students',
  student: 'students',
  nauczyciel: 'teachers',
  migrant: 'migrants',
  uchodzc: 'refugees',
  zwolennik: 'supporters',
  napastnik: 'gunmen',
  zamachowc: 'bomber',
  zamachowiec: 'bomber',
  samobojc: 'suicide',
  samobojcz: 'suicide',
  // what happens
  trzesieni: 'earthquake',
  wstrzas: 'tremor',
  wybuch: 'blast',
  eksploz: 'explosion',
  bomb: 'bomb',
  zamach: 'attack',
  atak: 'attack',
  zaatak: 'attack',
  szturm: 'raid',
  strzelanin: 'shooting',
  strzal: 'gunfire',
  ostrzal: 'shelling',
  powodz: 'flood',
  powodzi: 'flood',
  lawin: 'avalanche',
  katastrof: 'crash',
  wypadek: 'accident',
  wypadk: 'accident',
  autobus: 'bus',
  ciezarowk: 'truck',
  ciezarowc: 'truck',
  cystern: 'tanker',
  tunel: 'tunnel',
  lodz: 'boat',
  jezior: 'lake',
  utonel: 'drown',
  utonal: 'drown',
  utonely: 'drown',
  zginel: 'killed',
  zginal: 'killed',
  zginely: 'killed',
  zginelo: 'killed',
  zabit: 'killed',
  zabil: 'killed',
  zabij: 'killed',
  ofiar: 'toll',
  smierc: 'death',
  rann: 'injured',
  cial: 'bodies',
  meczet: 'mosque',
  meczec: 'mosque',
  hotel: 'hotel',
  szkol: 'school',
  uniwersytet: 'university',
  uczelni: 'university',
  zakaz: 'ban',
  zakazal: 'ban',
  chlost: 'flogging',
  aresztowa: 'arrested',
  areszt: 'custody',
  zatrzyma: 'detained',
  kaucj: 'bail',
  protest: 'protest',
  demonstr: 'protest',
  zamieszk: 'riots',
  granic: 'border',
  przejsci: 'crossing',
  rozmow: 'talks',
  handl: 'trade',
  paliw: 'fuel',
  benzyn: 'petrol',
  zakladnik: 'hostages',
  porwa: 'kidnapped',
  deport: 'deportation',
  egzekuc: 'executions',
  wyrok: 'verdict',
  krykiet: 'cricket',
})

/** Short Polish words that a beginning would over-match: folded only when whole. */
const POLISH_WORDS: Readonly<Record<string, string>> = dict({
  sad: 'court',
  sadu: 'court',
  sadzie: 'court',
  sady: 'court',
  chan: 'khan',
  chana: 'khan',
  chanem: 'khan',
  ceny: 'prices',
  cen: 'prices',
  usa: 'us',
  indie: 'india',
  indii: 'india',
  chin: 'china',
  chinach: 'china',
  kwecie: 'quetta',
  // "nie żyje" (is dead): the headline form of a toll
  zyje: 'dead',
  zyja: 'dead',
})

/** Longest and shortest Polish beginnings listed. */
const PREFIX_MAX = Math.max(...Object.keys(POLISH_PREFIXES).map((p) => p.length))
const PREFIX_MIN = Math.min(...Object.keys(POLISH_PREFIXES).map((p) => p.length))

/**
 * Urdu, Persian and Pashto news words → the English word, by their normalised spelling (topics/text.ts:
 * ہ/ھ → ه, ي/ې → ی, ك → ک, ټ → ٹ…). Whole words only: these languages attach few endings to the
 * nouns here.
 */
const ARABIC_SCRIPT_SPELLINGS: Readonly<Record<string, string>> = {
  پاکستان: 'pakistan',
  افغانستان: 'afghanistan',
  افغان: 'afghan',
  کابل: 'kabul',
  اسلام: 'islam',
  طالبان: 'taliban',
  طورخم: 'torkham',
  تورخم: 'torkham',
  چمن: 'chaman',
  پشاور: 'peshawar',
  کوئٹه: 'quetta',
  کراچی: 'karachi',
  ننگرهار: 'nangarhar',
  کندهار: 'kandahar',
  هرات: 'herat',
  سرحد: 'border',
  سرحدی: 'border',
  پوله: 'border',
  مرز: 'border',
  زلزله: 'earthquake',
  زلزلے: 'earthquake',
  دهماکه: 'blast',
  دهماکے: 'blast',
  انفجار: 'explosion',
  چاودنه: 'explosion',
  حمله: 'attack',
  حملے: 'attack',
  برید: 'attack',
  سیلاب: 'flood',
  سیل: 'flood',
  هلاک: 'killed',
  جاں: 'killed',
  کشته: 'killed',
  وژل: 'killed',
  زخمی: 'injured',
  ټپی: 'injured',
  گرفتار: 'arrested',
  مذاکرات: 'talks',
  خبرې: 'talks',
  مهاجرین: 'refugees',
  مهاجر: 'refugees',
  کډوال: 'refugees',
  پناهگزین: 'refugees',
  تجارت: 'trade',
  بند: 'closed',
}

const ARABIC_SCRIPT_WORDS: Readonly<Record<string, string>> = dict(
  Object.fromEntries(
    Object.entries(ARABIC_SCRIPT_SPELLINGS).map(([w, english]) => [normalizeText(w), english]),
  ),
)

/** Polish letters that English never writes: a text with one of them is read as Polish. */
const POLISH_LETTERS = /[ąćęłńśźżĄĆĘŁŃŚŹŻ]/

/** Whether a raw (not yet normalised) text is Polish by its letters. */
export const isPolish = (raw: string): boolean => POLISH_LETTERS.test(raw)

/**
 * The English word a normalised word of another language reports, or the word itself.
 * @param polish the text is Polish ({@link isPolish}): its words fold by their beginnings
 * @example foldWord('pakistanie', true) // 'pakistan'
 * @example foldWord('زلزله', false) // 'earthquake'
 */
export const foldWord = (w: string, polish: boolean): string => {
  const c = w.charCodeAt(0)
  if (c >= 0x600 && c <= 0x6ff) return ARABIC_SCRIPT_WORDS[w] ?? w
  if (!polish) return w
  const whole = POLISH_WORDS[w]
  if (whole !== undefined) return whole
  for (let n = Math.min(PREFIX_MAX, w.length); n >= PREFIX_MIN; n--) {
    const english = POLISH_PREFIXES[w.slice(0, n)]
    if (english !== undefined) return english
  }
  return w
}
