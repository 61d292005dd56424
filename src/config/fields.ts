/** Reusable field schemas for the configuration, each failing with a sentence a person can act on. */
import { validateDetailed } from 'node-cron'
import { z } from 'zod'
import type { MatchField } from '../model/types.js'
import { MATCH_FIELDS } from '../model/types.js'
import { parseDuration, parseSize } from '../util/duration.js'
import type { Problem } from './locate.js'
import { ID_PATTERN, isHttpUrl, isListenHost } from './plain-checks.js'
import { readMatchNode } from './rules.js'

// Messages are templates: `{field}` becomes the key (`"limit"`), `{got}` the offending value.
const ID_MESSAGE = '{field} may only use lower-case letters a-z, digits and "-", got {got}'
/** Message for a section or entry that is not a map. */
export const MAP_MESSAGE = '{field} must be a map of keys and values, got {got}'
const LIST_MESSAGE = '{field} must be a list such as [a, b], got {got}'
const TEXT_MESSAGE = '{field} must be text, got {got}'

const issue = (ctx: z.RefinementCtx, message: string, input: unknown): typeof z.NEVER => {
  ctx.issues.push({ code: 'custom', message, input })
  return z.NEVER
}

/** A value read by a function that returns undefined for anything it does not accept. */
const parsed = <T>(message: string, read: (v: unknown) => T | undefined) =>
  z.unknown().transform((v, ctx): T => read(v) ?? issue(ctx, message, v))

/** Non-empty text, trimmed. */
export const text = () =>
  z.string({ error: TEXT_MESSAGE }).trim().min(1, { error: '{field} must not be empty' })

/** A YAML list of `item`. */
export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: LIST_MESSAGE })

/** A list that must not be empty; `why` tells the reader what to write instead. */
export const nonEmptyList = <T extends z.ZodType>(item: T, why: string) =>
  list(item).min(1, { error: `{field} is an empty list; ${why}` })

/** A whole number in `[min, max]` (no upper bound when `max` is absent). */
export const whole = (min: number, max?: number) => {
  const msg = `{field} must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}, got {got}`
  const n = z.number({ error: msg }).int({ error: msg }).min(min, { error: msg })
  return max === undefined ? n : n.max(max, { error: msg })
}

/** Any finite number. */
export const number = () =>
  z.number({ error: '{field} must be a number, got {got}' }).refine(Number.isFinite, {
    error: '{field} must be a number, got {got}',
  })

/** `true` or `false`. */
export const flag = () => z.boolean({ error: '{field} must be true or false, got {got}' })

/** An id: `[a-z0-9-]+`. */
export const slugId = () => z.string({ error: ID_MESSAGE }).regex(ID_PATTERN, { error: ID_MESSAGE })

/** An absolute http(s) URL, trimmed. */
export const httpUrl = () => {
  const msg = '{field} must be an absolute http(s) URL, got {got}'
  return z.string({ error: msg }).trim().refine(isHttpUrl, { error: msg })
}

/** A listen address (`127.0.0.1`, `0.0.0.0`, `::`, `localhost`), trimmed. */
export const listenHost = () => {
  const msg = '{field} must be an address to listen on such as 127.0.0.1, 0.0.0.0 or ::, got {got}'
  return z.string({ error: msg }).trim().refine(isListenHost, { error: msg })
}

let knownZones: Set<string> | undefined

/** True for a time zone name the runtime knows (IANA, e.g. `Asia/Kabul`, or `UTC`). */
export const isTimeZone = (zone: string): boolean => {
  // The runtime's list answers the usual names cheaply; building a DateTimeFormat loads locale
  // data, which is paid only for what the list lacks (UTC, aliases, other letter cases).
  knownZones ??= new Set(Intl.supportedValuesOf('timeZone'))
  if (knownZones.has(zone)) return true
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** An IANA time zone name, kept as written. */
export const timeZone = () => {
  const msg = '{field} must be a time zone name such as Asia/Karachi or UTC, got {got}'
  return z.string({ error: msg }).trim().refine(isTimeZone, { error: msg })
}

/** A BCP 47 language tag (`en`, `ur`, `fa-AF`), kept as written. */
export const language = () => {
  const msg = '{field} must be a language code such as en, ur or fa-AF, got {got}'
  const ok = (s: string) => {
    try {
      return /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(s) && Intl.getCanonicalLocales(s).length === 1
    } catch {
      return false
    }
  }
  return z.string({ error: msg }).trim().refine(ok, { error: msg })
}

/** A duration (`20s`, `15m`) → milliseconds. */
export const duration = () =>
  parsed('{field} must be a duration such as 20s, 15m or 1h, got {got}', (v) =>
    typeof v === 'string' ? parseDuration(v) : undefined,
  )

/** A size (`10MB`, or bytes as a number) → bytes. */
export const size = () =>
  parsed('{field} must be a size such as 10MB, 512KB or a number of bytes, got {got}', (v) =>
    typeof v === 'string' || typeof v === 'number' ? parseSize(v) : undefined,
  )

/** Why a cron expression is invalid, in words; undefined when it is valid. */
export const cronProblem = (expr: string): string | undefined => {
  const result = validateDetailed(expr)
  if (result.valid) return undefined
  const first = result.errors[0]
  if (!first || first.field === 'expression') {
    const fields = expr.trim().split(/\s+/).length
    return `it has ${fields} fields; a cron expression has 5 (minute hour day month weekday) or 6 with seconds first`
  }
  return `the ${first.field} field cannot be ${JSON.stringify(first.value ?? '')}`
}

/** `every`: a duration (`15m`) or a cron expression (`0 * * * *`), kept as written. */
export const every = () =>
  z.unknown().transform((v, ctx): string => {
    const msg =
      '{field} must be a duration such as 15m or 1h, or a cron expression such as "*/10 * * * *", got {got}'
    if (typeof v !== 'string' || v.trim() === '') return issue(ctx, msg, v)
    const s = v.trim()
    if (parseDuration(s) !== undefined) return s
    const fields = s.split(/\s+/)
    const looksCron = s.startsWith('@') || (fields.length >= 3 && /^[\d*]/.test(s))
    if (!looksCron) return issue(ctx, msg, v)
    const why = cronProblem(s)
    return why ? issue(ctx, `{field} is not a valid cron expression ({got}): ${why}`, v) : s
  })

/** A secret: text (numbers accepted and kept as written); empty means unset. */
export const token = () =>
  parsed<string | ''>(TEXT_MESSAGE, (v) =>
    typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined,
  )

/** A list of item fields that rules look at. */
export const matchFields = () =>
  list(
    z.enum(MATCH_FIELDS as [MatchField, ...MatchField[]], {
      error: `{field} must be one of ${MATCH_FIELDS.join(', ')}; got {got}`,
    }),
  )

/** A topic's rule tree. Checked by hand (rules.ts): a zod union would only say "invalid input". */
export const matchNode = () =>
  z.unknown().transform((v, ctx) => {
    if (v === undefined) {
      ctx.issues.push({ code: 'invalid_type', expected: 'object', input: v })
      return z.NEVER
    }
    const problems: Problem[] = []
    const node = readMatchNode(v, [], problems)
    for (const p of problems) {
      ctx.issues.push({
        code: 'custom',
        message: p.message,
        path: [...p.path],
        input: v,
        params: { at: p.at },
      })
    }
    return node ?? z.NEVER
  })
