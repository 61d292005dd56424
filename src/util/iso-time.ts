/** Epoch milliseconds of the ISO timestamps the store writes, without Date.parse for the common form. */

/** Days from 1970-01-01 to `day` of `month` (1–12) of `year` in the proleptic Gregorian calendar. */
const daysFromEpoch = (year: number, month: number, day: number): number => {
  // Years counted from March: the leap day is the last day of a year, so a month's first day is
  // (153 · month + 2) / 5 days into its year, a year 365 days and a quarter less a century's.
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const ofEra = y - era * 400
  const ofYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const days = ofEra * 365 + Math.floor(ofEra / 4) - Math.floor(ofEra / 100) + ofYear
  return era * 146_097 + days - 719_468
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** The number of `n` digits at `at` of `s`, or -1 when one is not a digit. */
const digits = (s: string, at: number, n: number): number => {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/**
 * `Date.parse(s)`, read directly when `s` is in Date#toISOString's form for years 0–9999
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`, every field in range): Date.parse took a microsecond or more each,
 * and the story index reads two per arrival. Anything else goes to Date.parse.
 * @example isoTime('1970-01-02T00:00:00.001Z') // 86400001
 */
export const isoTime = (s: string): number => {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  )
    return Date.parse(s)
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  const ms = digits(s, 20, 3)
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    ms < 0
  )
    return Date.parse(s)
  return (
    daysFromEpoch(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    ms
  )
}
