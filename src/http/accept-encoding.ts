/** chooseCoding: the content coding (br, gzip or none) a request's Accept-Encoding asks for. */

/** The codings the byte cache keeps besides the identity bytes. */
export type Coding = 'br' | 'gzip'

/** Header values remembered with their choice: readers send a handful of distinct ones. */
const MEMO_MAX = 64
/** Longer values are parsed every time rather than remembered (they are not a reader's). */
const MEMO_VALUE_MAX = 200

/**
 * The coding to answer with, from an `Accept-Encoding` value (RFC 9110 §12.5.3), or undefined
 * for the identity bytes. Names are case-insensitive, `x-gzip` is gzip, `*` stands for every
 * coding not named, `q=0` refuses (`br;q=0`), the highest weight wins, and the identity bytes
 * win only when the header weighs them higher than every coding (a tie goes to the coding, and
 * between br and gzip to br, the smaller). No header, an empty one, or nothing acceptable: identity, which every client
 * can read. A member with a malformed `q` is ignored rather than guessed at.
 * @example chooseCoding('gzip, deflate, br') // 'br'
 * @example chooseCoding('br;q=0, gzip;q=0.8') // 'gzip'
 */
export const chooseCoding = (header: string | undefined): Coding | undefined =>
  header ? parse(header) : undefined

/**
 * {@link chooseCoding} with its answers remembered per header value, for the hot path: readers
 * send a handful of distinct values. Bounded (oldest value out first); long values are parsed
 * every time. One per app, no module state.
 * @example const choose = createCodingChooser(); choose(ex.header('accept-encoding'))
 */
export const createCodingChooser = (): ((header: string | undefined) => Coding | undefined) => {
  const memo = new Map<string, Coding | undefined>()
  return (header) => {
    if (!header) return undefined
    if (header.length > MEMO_VALUE_MAX) return parse(header)
    const known = memo.get(header)
    if (known !== undefined || memo.has(header)) return known
    const choice = parse(header)
    if (memo.size >= MEMO_MAX) {
      const oldest = memo.keys().next()
      if (!oldest.done) memo.delete(oldest.value)
    }
    memo.set(header, choice)
    return choice
  }
}

// --- Internal helpers ---

/** qvalue of RFC 9110 §12.4.2: 0 to 1 with at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

const parse = (header: string): Coding | undefined => {
  const weights = new Map<string, number>()
  for (const member of header.split(',')) {
    const [rawName = '', ...params] = member.split(';')
    let name = rawName.trim().toLowerCase()
    if (name === '') continue
    if (name === 'x-gzip') name = 'gzip'
    let q = 1
    let valid = true
    for (const p of params) {
      const eq = p.indexOf('=')
      if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue
      const value = p.slice(eq + 1).trim()
      if (QVALUE.test(value)) q = Number(value)
      else valid = false
    }
    // The first mention of a name decides it.
    if (valid && !weights.has(name)) weights.set(name, q)
  }
  const any = weights.get('*')
  const weightOf = (name: string, fallback: number): number => weights.get(name) ?? any ?? fallback
  const br = weightOf('br', 0)
  const gzip = weightOf('gzip', 0)
  // The identity bytes compete only when weighed in the header: left unnamed, they are the
  // fallback, not a preference over a coding the client lists (as nginx and Apache read it).
  const identity = weights.get('identity') ?? any ?? 0
  const best = Math.max(br, gzip)
  if (best <= 0 || best < identity) return undefined
  return br >= gzip ? 'br' : 'gzip'
}
