/** Epoch milliseconds as `Date#toISOString` writes them, for the many rows of a page: a day's prefix formatted once, the time of day by arithmetic. */

const DAY_MS = 86_400_000
/** The last instant `toISOString` writes with a four-digit year (9999-12-31T23:59:59.999Z). */
const LAST_PLAIN = 253_402_300_799_999

/** `YYYY-MM-DDT` by day number; bounded, since a walk of old items may cross many days. */
const dayPrefixes = new Map<number, string>()
const MAX_DAYS = 4_096

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/**
 * The same text as `new Date(ms).toISOString()`: a page formats every row it reads (a few hundred),
 * and `toISOString` builds a Date per call, which cost more than the rest of a row's reading.
 * Times before 1970 or past year 9999 (signed, six-digit years) go to `toISOString`.
 * @throws RangeError for a time no Date can hold, as `toISOString` does.
 */
export const isoOfEpochMs = (ms: number): string => {
  if (!(ms >= 0 && ms <= LAST_PLAIN) || !Number.isInteger(ms)) return new Date(ms).toISOString()
  const day = Math.floor(ms / DAY_MS)
  let prefix = dayPrefixes.get(day)
  if (prefix === undefined) {
    if (dayPrefixes.size >= MAX_DAYS) dayPrefixes.clear()
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11)
    dayPrefixes.set(day, prefix)
  }
  let rest = ms - day * DAY_MS
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = Math.floor(rest / 1000)
  const milli = rest - s * 1000
  return `${prefix}${two(h)}:${two(m)}:${two(s)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`
}
