/** Checks of configuration values that need neither the YAML reader nor the schema: what completing a validated file (resolve.ts) uses. */
import { isIP } from 'node:net'
import { editDistance } from '../util/edit-distance.js'

/** Source, topic and feed ids. */
export const ID_PATTERN = /^[a-z0-9-]+$/

/** True for an absolute http: or https: URL. */
export const isHttpUrl = (s: string): boolean => {
  if (!/^https?:\/\//i.test(s.trim())) return false
  try {
    return new URL(s).host !== ''
  } catch {
    return false
  }
}

/**
 * True for an address to listen on: an IPv4 or IPv6 literal, or a host name (letters, digits,
 * "-" and "." only), without a scheme, port or path.
 */
export const isListenHost = (s: string): boolean =>
  isIP(s) !== 0 ||
  (s.length <= 253 &&
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(s))

/** The allowed key closest to a misspelt one, if any is close enough to be a likely typo. */
export const suggestKey = (key: string, allowed: readonly string[]): string | undefined => {
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')
  let best: { key: string; d: number } | undefined
  for (const candidate of allowed) {
    if (squash(candidate) === squash(key)) return candidate
    const d = editDistance(key.toLowerCase(), candidate)
    if (d <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || d < best.d)) {
      best = { key: candidate, d }
    }
  }
  return best?.key
}
