/** Date labels for server-rendered HTML and SVG (deterministic, no locale). */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const pad = (n: number): string => String(n).padStart(2, '0')

/**
 * `10 Mar 2026, 14:20 UTC` for an ISO date (deterministic, no locale); the input itself when it
 * does not parse.
 */
export const formatUtc = (iso: string): string => {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${formatDay(iso)} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`
}

/** `10 Mar` for an ISO date or day (`2026-03-10`); the input itself when it does not parse. */
export const formatDay = (iso: string): string => {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
}
