import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/util/logger.js'
import { formatLogLine, prettyDestination } from '../../src/util/pretty-log.js'

describe('formatLogLine', () => {
  it('writes time, level and message, then the fields as key=value', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      sourceId: 'dawn',
      code: 'fetch',
      error: 'HTTP 503 from https://x.example/',
      msg: 'source poll failed',
    })
    expect(formatLogLine(line)).toBe(
      '03:04:05.006 WARN  source poll failed  sourceId=dawn code=fetch error="HTTP 503 from https://x.example/"\n',
    )
  })

  it('shows an error by its message, with its stack below', () => {
    const out = formatLogLine(
      JSON.stringify({
        level: 50,
        time: 0,
        err: { message: 'boom', stack: 'Error: boom\n    at x' },
        msg: 'poll cycle failed',
      }),
    )
    expect(out).toBe('00:00:00.000 ERROR poll cycle failed  err="boom"\nError: boom\n    at x\n')
  })

  it.each(['not json', '[1,2]', 'null'])('passes %s on unchanged', (line) => {
    expect(formatLogLine(line)).toBe(line)
  })
})

/** A stream that says it is (or is not) a terminal, and what was written to it. */
const stream = (isTTY: boolean) => {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean }
  s.isTTY = isTTY
  let text = ''
  s.on('data', (d) => {
    text += d
  })
  return { s, text: () => text }
}

describe('createLogger formats', () => {
  it('writes one JSON object a line when the stream is not a terminal', async () => {
    const out = stream(false)
    const logger = createLogger({ level: 'info', stream: out.s })
    logger.child({ sourceId: 'dawn' }).warn({ code: 'fetch' }, 'source poll failed')
    logger.info({ sources: 2 }, 'poll cycle finished')
    await new Promise((r) => setImmediate(r))
    const lines = out
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toMatchObject([
      { level: 40, sourceId: 'dawn', code: 'fetch', msg: 'source poll failed' },
      { level: 30, sources: 2, msg: 'poll cycle finished' },
    ])
  })

  it('writes lines for a person on a terminal, and JSON there too when asked', async () => {
    const tty = stream(true)
    createLogger({ level: 'info', stream: tty.s })
      .child({ sourceId: 'dawn' })
      .warn({}, 'source poll failed')
    const forced = stream(true)
    createLogger({ level: 'info', stream: forced.s, format: 'json' }).warn({}, 'x')
    await new Promise((r) => setImmediate(r))
    expect(tty.text()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}source poll failed {2}sourceId=dawn\n$/,
    )
    expect(JSON.parse(forced.text())).toMatchObject({ level: 40, msg: 'x' })
  })

  it('prettyDestination splits what arrives into lines', () => {
    const out = stream(true)
    prettyDestination(out.s).write(
      '{"level":30,"time":0,"msg":"a"}\n{"level":30,"time":0,"msg":"b"}\n',
    )
    expect(out.text()).toBe('00:00:00.000 INFO  a\n00:00:00.000 INFO  b\n')
  })
})
