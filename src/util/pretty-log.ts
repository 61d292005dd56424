/** Log lines for a person at a terminal: pino's JSON line rewritten as time, level, message, fields. */

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
}

/** Keys the line itself shows (time, level, message); every other field follows as key=value. */
const SHOWN = new Set(['time', 'level', 'msg', 'pid', 'hostname'])

const field = (key: string, value: unknown): string => {
  if (typeof value === 'string')
    return `${key}=${/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`
  if (key === 'err' && value && typeof value === 'object' && 'message' in value)
    return `err=${JSON.stringify(String((value as { message: unknown }).message))}`
  return `${key}=${JSON.stringify(value)}`
}

/**
 * One of pino's JSON lines as a line for a terminal (pure); a line that is not pino's JSON is
 * passed on unchanged, so nothing written is ever lost.
 * @example formatLogLine('{"level":40,"time":0,"sourceId":"dawn","msg":"source poll failed"}')
 * // '00:00:00.000 WARN  source poll failed  sourceId=dawn\n'
 */
export const formatLogLine = (line: string): string => {
  let entry: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(line)
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line
    entry = parsed as Record<string, unknown>
  } catch {
    return line
  }
  const time =
    typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : ''
  const level = LEVELS[entry.level as number] ?? String(entry.level ?? '')
  const fields = Object.entries(entry)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => field(k, v))
  const stack =
    entry.err && typeof entry.err === 'object' && 'stack' in entry.err
      ? `\n${String((entry.err as { stack: unknown }).stack)}`
      : ''
  const text = [time, level, String(entry.msg ?? '')].filter((s) => s !== '').join(' ')
  return `${text}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`
}

/**
 * A destination for pino that writes {@link formatLogLine}'s lines to `out` (a terminal).
 * @example pino({}, prettyDestination(process.stderr))
 */
export const prettyDestination = (out: NodeJS.WritableStream): { write(line: string): void } => ({
  write: (chunk: string) => {
    for (const line of chunk.split('\n')) if (line !== '') out.write(formatLogLine(line))
  },
})
