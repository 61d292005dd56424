/** echo: a piece of untrusted input as an error message may quote it — quoted and clipped. */

/** Most characters of the input an error message repeats: enough to recognise it, no more. */
export const ECHO_MAX = 60

/**
 * The input JSON-quoted (control characters escaped); longer than {@link ECHO_MAX} characters,
 * cut to 57 and an ellipsis: an error about a 16 KB parameter must not send it back.
 * @example echo('x'.repeat(100)) // '"xxx…xxx…"' (57 x, then …)
 */
export const echo = (value: string, max: number = ECHO_MAX): string =>
  JSON.stringify(value.length > max ? `${value.slice(0, max - 3)}…` : value)
