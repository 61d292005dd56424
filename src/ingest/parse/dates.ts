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
  const s = collapseWhitespace(raw)
  if (!s) return undefined
  const p = parseRfc822(s) ?? parseIso(s) ?? parseTextual(s)
  if (!p || !valid(p)) return undefined
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms)
  const ms = p.offset !== undefined ? wall - p.offset * 60_000 : fromWallClock(wall, timezone)
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? undefined : d
}
