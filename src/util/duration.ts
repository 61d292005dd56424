/** Parsing of human durations (`15m`, `24h`, `7d`, `20s`, `500ms`) and sizes (`10MB`, `512KB`). */
import { dict } from './dict.js'

const DURATION_UNITS: Record<string, number> = dict({
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
})

const SIZE_UNITS: Record<string, number> = dict({
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
})

/**
 * Milliseconds of a duration such as `15m`, `1h30m`, `20s`; undefined when it is not one.
 * @example parseDuration('1h30m') // 5_400_000
 */
export const parseDuration = (text: string): number | undefined => {
  const s = text.trim().toLowerCase()
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(s)) return undefined
  let total = 0
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0)
  }
  return total > 0 ? Math.round(total) : undefined
}

/**
 * Bytes of a size such as `10MB`, `512kb`, `1048576`; undefined when it is not one.
 * Units are binary (1 MB = 1024 KB), as people mean them for caps.
 */
export const parseSize = (text: string | number): number | undefined => {
  if (typeof text === 'number') return Number.isInteger(text) && text > 0 ? text : undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (!m) return undefined
  const unit = (m[2] ?? '').toLowerCase() || 'b'
  const mult = SIZE_UNITS[unit]
  if (mult === undefined) return undefined
  const n = Math.round(Number(m[1]) * mult)
  return n > 0 ? n : undefined
}
