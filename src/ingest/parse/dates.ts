/** Feed date strings → Date: RFC 822, ISO 8601/RFC 3339 and common sloppy forms; never throws. */
import { collapseWhitespace } from '../../topics/text.js'
import { dict } from '../../util/dict.js'

/**
 * Zone abbreviations seen in feeds, in minutes east of UTC. Abbreviations are ambiguous; we pick
 * the reading a news feed most likely means: `IST` is India (+05:30), not Ireland or Israel, and
 * `PKT` (+05:00) and `AFT` (+04:30) are here because this service follows Pakistan and Afghanistan.
 * `BST` is British Summer Time. Unknown names are read as UTC.
 */
const ZONES: Readonly<Record<string, number>> = dict({
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  IRST: 210,
  GST: 240,
  AFT: 270,
  PKT: 300,
  IST: 330,
  NPT: 345,
  BDT: 360,
  ICT: 420,
  WIB: 420,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  JST: 540,
  KST: 540,
  ACST: 570,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  AST: -240,
  ADT: -180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
})

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

interface Parts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  ms: number
  /** Minutes east of UTC; `undefined`: the text named no zone. */
  offset?: number
}

/** `+05:30`, `-0800`, `+05`, a zone name, or `undefined` when the token is not a zone. */
const zoneOffset = (token: string): number | undefined => {
  const m = token.match(/^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$/i)
  if (m) {
    const hh = Number(m[2])
    const mm = Number(m[3] ?? 0)
    if (hh > 14 || mm > 59) return undefined
    return (m[1] === '-' ? -1 : 1) * (hh * 60 + mm)
  }
  return ZONES[token.toUpperCase()]
}

const ISO_RE =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{1,5})?$/i

/** ISO 8601 / RFC 3339, also `YYYY/MM/DD hh:mm` and `YYYY-MM-DD hh:mm:ss +hhmm`. */
const parseIso = (s: string): Parts | undefined => {
  const m = s.replace(/^(\d{4})[/.](\d{2})[/.](\d{2})/, '$1-$2-$3').match(ISO_RE)
  if (!m) return undefined
  const offset = m[8] === undefined ? undefined : zoneOffset(m[8])
  if (m[8] !== undefined && offset === undefined) return undefined
  return {
    year: Number(m[1]),
    month: Number(m[2] ?? 1),
    day: Number(m[3] ?? 1),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0,
    ...(offset === undefined ? {} : { offset }),
  }
}

/**
 * RFC 822 as nearly every RSS feed writes it (`Tue, 10 Jun 2003 04:00:00 GMT`, `… +0500`), read
 * with one match; anything else (and an unknown month or zone) goes to {@link parseTextual}, which
 * reads these the same way, token by token, at several times the cost.
 */
const RFC822_RE =
  /^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ([A-Za-z]{1,5}|[+-]\d{4})$/

const parseRfc822 = (s: string): Parts | undefined => {
  const m = RFC822_RE.exec(s)
  if (!m) return undefined
  const month = MONTHS.indexOf((m[2] ?? '').toLowerCase()) + 1
  const offset = zoneOffset(m[7] ?? '')
  if (month === 0 || offset === undefined) return undefined
  return {
    year: Number(m[3]),
    month,
    day: Number(m[1]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    ms: 0,
    offset,
  }
}

/**
 * Textual dates read token by token: RFC 822 (`Tue, 10 Jun 2003 04:00:00 GMT`), US style
 * (`June 10, 2003 4:00 PM`), `Date.toString()` style (`Tue Jun 10 2003 04:00:00 GMT+0500 (PKT)`)
 * and asctime (`Tue Jun 10 04:00:00 2003`).
 */
const parseTextual = (s: string): Parts | undefined => {
  const tokens = s
    .replace(/\([^)]*\)/g, ' ')
    .replace(/,/g, ' ')
    .replace(/(\d)-([a-z])/gi, '$1 $2')
    .replace(/([a-z])-(\d)/gi, '$1 $2')
    .split(/\s+/)
    .filter(Boolean)
  let month: number | undefined
  let year: number | undefined
  const small: number[] = []
  let time: RegExpMatchArray | undefined
  let pm: boolean | undefined
  let offset: number | undefined
  for (const t of tokens) {
    const lower = t.toLowerCase().replace(/\.$/, '')
    const tm = t.match(/^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([+-]\d{2}:?\d{2}|Z)?$/i)
    if (tm) {
      time = tm
      if (tm[5]) offset = zoneOffset(tm[5])
    } else if (/^\d{4}$/.test(t)) year = Number(t)
    else if (/^\d{1,2}(?:st|nd|rd|th)?$/i.test(t)) small.push(Number.parseInt(t, 10))
    else if (lower === 'am' || lower === 'pm') pm = lower === 'pm'
    else if (month === undefined && MONTHS.includes(lower.slice(0, 3)) && /^[a-z]+$/.test(lower))
      month = MONTHS.indexOf(lower.slice(0, 3)) + 1
    else if (zoneOffset(t) !== undefined && offset === undefined) offset = zoneOffset(t)
    else if (/^[A-Za-z]+\.?$/.test(t)) {
      // day names, "at", "of" and unknown zone names carry nothing we need
    } else return undefined
  }
  const day = small[0]
  if (year === undefined && small.length >= 2) {
    const y = small[1] ?? 0
    year = y < 50 ? 2000 + y : 1900 + y
  }
  if (month === undefined || year === undefined || day === undefined) return undefined
  let hour = time ? Number(time[1]) : 0
  if (pm !== undefined && hour <= 12) hour = (hour % 12) + (pm ? 12 : 0)
  return {
    year,
    month,
    day,
    hour,
    minute: time ? Number(time[2]) : 0,
    second: time?.[3] ? Number(time[3]) : 0,
    ms: time?.[4] ? Math.round(Number(`0.${time[4]}`) * 1000) : 0,
    ...(offset === undefined ? {} : { offset }),
  }
}

const valid = (p: Parts): boolean =>
  p.year >= 1000 &&
  p.year <= 9999 &&
  p.month >= 1 &&
  p.month <= 12 &&
  p.day >= 1 &&
  p.day <= new Date(Date.UTC(p.year, p.month, 0)).getUTCDate() &&
  p.hour <= 24 &&
  p.minute <= 59 &&
  p.second <= 60

/** Minutes east of UTC of `zone` at `instant`; `undefined` for an unknown zone. */
const zoneOffsetAt = (zone: string, instant: number): number | undefined => {
  let fmt: Intl.DateTimeFormat
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  } catch {
    return undefined
  }
  const f: Record<string, number> = {}
  for (const p of fmt.formatToParts(new Date(instant))) f[p.type] = Number(p.value)
  const wall = Date.UTC(f.year ?? 0, (f.month ?? 1) - 1, f.day, f.hour, f.minute, f.second)
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000)
}

/** Interprets a wall-clock time in an IANA zone (two passes so DST edges land right). */
const fromWallClock = (wall: number, zone: string): number => {
  const first = zoneOffsetAt(zone, wall)
  if (first === undefined) return wall
  const guess = wall - first * 60_000
  const second = zoneOffsetAt(zone, guess) ?? first
  return wall - second * 60_000
}

/**
 * Parses a date as feeds write it. Dates that name no zone are read in `timezone` (an IANA name,
 * default UTC; an unknown name is treated as UTC). Returns `undefined` for anything it cannot read.
 * @example parseFeedDate('Tue, 03 Mar 2026 14:05:00 PKT')?.toISOString() // '2026-03-03T09:05:00.000Z'
 * @example parseFeedDate('2026-03-03 14:05', 'Asia/Kabul')?.toISOString() // '2026-03-03T09:35:00.000Z'
 */
export const parseFeedDate = (raw: string, timezone = 'UTC'): Date | undefined => {
  const fast = rfc822Instant(raw)
  if (fast !== undefined) return new Date(fast)
  const s = collapseWhitespace(raw)
  if (!s) return undefined
  const p = parseRfc822(s) ?? parseIso(s) ?? parseTextual(s)
  if (!p || !valid(p)) return undefined
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms)
  const ms = p.offset !== undefined ? wall - p.offset * 60_000 : fromWallClock(wall, timezone)
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? undefined : d
}

/** Month numbers (1–12) by their three letters in lower case, as one number (see {@link threeLetters}). */
const MONTH_NUMBERS: ReadonlyMap<number, number> = new Map(
  MONTHS.map((m, i) => [threeLettersOf(m, 0), i + 1]),
)

/** Three characters of `s` from `at` as one number, letters lower-cased (`| 0x20`). */
function threeLettersOf(s: string, at: number): number {
  return (
    ((s.charCodeAt(at) | 0x20) << 16) |
    ((s.charCodeAt(at + 1) | 0x20) << 8) |
    (s.charCodeAt(at + 2) | 0x20)
  )
}

const isAsciiLetter = (c: number): boolean => (c | 0x20) >= 97 && (c | 0x20) <= 122
const digitAt = (s: string, at: number): number => {
  const d = s.charCodeAt(at) - 48
  return d >= 0 && d <= 9 ? d : -1
}
/** The two digits of `s` at `at` as a number, or -1. */
const twoDigits = (s: string, at: number): number => {
  const a = digitAt(s, at)
  const b = digitAt(s, at + 1)
  return a < 0 || b < 0 ? -1 : a * 10 + b
}

/** Days in `month` (1–12) of `year`, in the proleptic Gregorian calendar `Date` uses. */
const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/**
 * The instant (ms) of the RFC 822 date nearly every RSS feed writes, exactly
 * `[Ddd, ]D[D] Mon YYYY HH:MM[:SS] GMT|±hhmm` with single spaces, read by char codes; undefined
 * for anything else, which {@link parseFeedDate} then reads as before (the same instant: what
 * {@link parseRfc822} and `valid` make of these; tests/ingest/parse/dates.test.ts compares the
 * two on random dates). The one regular-expression match, its eight strings and the parts
 * object per item were most of a date's cost.
 */
const rfc822Instant = (s: string): number | undefined => {
  let i = 0
  if (s.charCodeAt(3) === 44 /* , */) {
    if (
      !isAsciiLetter(s.charCodeAt(0)) ||
      !isAsciiLetter(s.charCodeAt(1)) ||
      !isAsciiLetter(s.charCodeAt(2)) ||
      s.charCodeAt(4) !== 32
    )
      return undefined
    i = 5
  }
  let day = digitAt(s, i)
  if (day < 0) return undefined
  const second = digitAt(s, i + 1)
  if (second >= 0) {
    day = day * 10 + second
    i += 2
  } else i += 1
  if (s.charCodeAt(i) !== 32 || s.charCodeAt(i + 4) !== 32) return undefined
  if (
    !isAsciiLetter(s.charCodeAt(i + 1)) ||
    !isAsciiLetter(s.charCodeAt(i + 2)) ||
    !isAsciiLetter(s.charCodeAt(i + 3))
  )
    return undefined
  const month = MONTH_NUMBERS.get(threeLettersOf(s, i + 1))
  if (month === undefined) return undefined
  const century = twoDigits(s, i + 5)
  const years = twoDigits(s, i + 7)
  if (century < 0 || years < 0 || s.charCodeAt(i + 9) !== 32) return undefined
  const year = century * 100 + years
  const hour = twoDigits(s, i + 10)
  const minute = twoDigits(s, i + 13)
  if (hour < 0 || minute < 0 || s.charCodeAt(i + 12) !== 58 /* : */) return undefined
  i += 15
  let sec = 0
  if (s.charCodeAt(i) === 58) {
    sec = twoDigits(s, i + 1)
    if (sec < 0) return undefined
    i += 3
  }
  if (s.charCodeAt(i) !== 32) return undefined
  i++
  let offset: number
  const sign = s.charCodeAt(i)
  if (sign === 43 /* + */ || sign === 45 /* - */) {
    const hh = twoDigits(s, i + 1)
    const mm = twoDigits(s, i + 3)
    // zoneOffset's bounds: past them, parseRfc822 leaves the text to the other readers.
    if (hh < 0 || mm < 0 || hh > 14 || mm > 59 || s.length !== i + 5) return undefined
    offset = (sign === 45 ? -1 : 1) * (hh * 60 + mm)
  } else if (
    s.length === i + 3 &&
    sign === 71 /* G */ &&
    s.charCodeAt(i + 1) === 77 /* M */ &&
    s.charCodeAt(i + 2) === 84 /* T */
  )
    offset = 0
  else return undefined
  // `valid`'s bounds: a date past them is no date (parseFeedDate's answer too, read slowly).
  if (year < 1000 || day < 1 || day > daysIn(year, month) || hour > 24 || minute > 59 || sec > 60)
    return undefined
  const ms = Date.UTC(year, month - 1, day, hour, minute, sec, 0) - offset * 60_000
  return Number.isNaN(ms) ? undefined : ms
}
