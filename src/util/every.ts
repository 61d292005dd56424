/** The `every` grammar of sources and `fetch.every`: a duration (`15m`) or a cron expression, read in UTC. */
import { type ParsedFields, parse as parseCron } from 'node-cron'
import { AppError } from '../model/errors.js'
import { parseDuration } from './duration.js'

/** A parsed `every`. */
export type PollSchedule = { kind: 'duration'; ms: number } | { kind: 'cron'; fields: ParsedFields }

/** Parsed `every` values: a configuration has a handful, and every poll plans with one. */
const schedules = new Map<string, PollSchedule>()
/** Past this many different values (a configuration never has so many) the memo starts over. */
const SCHEDULES_MAX = 1024

/**
 * Reads `every`: a duration first, else a cron expression (5 or 6 fields, nicknames like `@hourly`).
 * The result is shared between calls with the same text: do not change it.
 * @throws AppError('config') naming the value when it is neither
 */
export const parseEvery = (every: string): PollSchedule => {
  let schedule = schedules.get(every)
  if (schedule === undefined) {
    schedule = readEvery(every)
    if (schedules.size >= SCHEDULES_MAX) schedules.clear()
    schedules.set(every, schedule)
  }
  return schedule
}

const readEvery = (every: string): PollSchedule => {
  const ms = parseDuration(every)
  if (ms !== undefined) return { kind: 'duration', ms }
  let fields: ParsedFields
  try {
    fields = parseCron(every.trim())
  } catch (cause) {
    const why = cause instanceof Error ? `: ${cause.message}` : ''
    throw new AppError(
      'config',
      `"${every}" is neither a duration (like 15m or 1h) nor a cron expression${why}`,
      { cause },
    )
  }
  return { kind: 'cron', fields }
}

/** The problem with an `every` value as a sentence, or undefined when it is valid (for config checks). */
export const checkEvery = (every: string): string | undefined => {
  try {
    const schedule = parseEvery(every)
    if (schedule.kind === 'cron') nextCronTime(schedule.fields, new Date(0), every)
    return undefined
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

/**
 * The base interval in ms: the duration, or for a cron expression the gap between its next two
 * runs after `now`.
 * @example intervalMs('*\/10 * * * *', now) // 600_000
 */
export const intervalMs = (every: string, now: Date): number => {
  const schedule = parseEvery(every)
  return scheduleInterval(schedule, now, every)
}

/** The base interval of a parsed schedule (see {@link intervalMs}). */
export const scheduleInterval = (schedule: PollSchedule, now: Date, every: string): number => {
  if (schedule.kind === 'duration') return schedule.ms
  const first = nextCronTime(schedule.fields, now, every)
  return nextCronTime(schedule.fields, first, every).getTime() - first.getTime()
}

const DAY_MS = 86_400_000
/** Feb 29 on a given weekday recurs within 28 years; search a little longer, then give up. */
const MAX_SEARCH_DAYS = 366 * 30

/**
 * The first time strictly after `after` (whole seconds, UTC) matching the cron fields, with
 * node-cron's semantics: day-of-month and day-of-week must both match; `L`, `L-n`, `nW`, `nL`
 * and `n#k` supported.
 * @throws AppError('config') when the expression never matches
 */
export const nextCronTime = (fields: ParsedFields, after: Date, pattern = 'cron'): Date => {
  const from = Math.floor(after.getTime() / 1000) * 1000 + 1000
  const seconds = sorted(fields.second)
  const minutes = sorted(fields.minute)
  const hours = sorted(fields.hour)
  let day = Math.floor(from / DAY_MS) * DAY_MS
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, day += DAY_MS) {
    const d = new Date(day)
    const [y, m, dom, dow] = [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCDay(),
    ]
    if (!fields.month.includes(m)) continue
    if (!matchesDayOfMonth(fields.dayOfMonth, y, m, dom)) continue
    if (!matchesDayOfWeek(fields.dayOfWeek, y, m, dom, dow)) continue
    for (const h of hours) {
      for (const min of minutes) {
        for (const s of seconds) {
          const at = day + h * 3_600_000 + min * 60_000 + s * 1000
          if (at >= from) return new Date(at)
        }
      }
    }
  }
  throw new AppError('config', `cron expression "${pattern}" never matches a date`)
}

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b)

const lastDayOf = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate()

const nearestWeekday = (y: number, m: number, target: number): number => {
  const last = lastDayOf(y, m)
  if (target < 1 || target > last) return -1
  const wd = new Date(Date.UTC(y, m - 1, target)).getUTCDay()
  if (wd === 6) return target === 1 ? 3 : target - 1
  if (wd === 0) return target === last ? target - 2 : target + 1
  return target
}

const matchesDayOfMonth = (field: (number | string)[], y: number, m: number, day: number) =>
  field.some((v) => {
    if (typeof v === 'number') return v === day
    if (v === 'L') return day === lastDayOf(y, m)
    const w = /^(\d{1,2}|L)W$/.exec(v)
    if (w) return nearestWeekday(y, m, w[1] === 'L' ? lastDayOf(y, m) : Number(w[1])) === day
    const off = /^L-(\d{1,2})$/.exec(v)
    return off !== null && day === lastDayOf(y, m) - Number(off[1])
  })

const matchesDayOfWeek = (
  field: (number | string)[],
  y: number,
  m: number,
  day: number,
  weekday: number,
) =>
  field.some((v) => {
    if (typeof v === 'number') return v % 7 === weekday
    const nth = /^([0-7])#([1-5])$/.exec(v)
    if (nth)
      return Number(nth[1]) % 7 === weekday && Math.floor((day - 1) / 7) + 1 === Number(nth[2])
    const last = /^([0-7])L$/i.exec(v)
    return last !== null && Number(last[1]) % 7 === weekday && day + 7 > lastDayOf(y, m)
  })
