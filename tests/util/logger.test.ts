/** createLogger: pino made at the first line its level lets through, children bound as pino binds them. */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/util/logger.js'

/** A JSON-lines sink and the entries written to it so far. */
const sink = () => {
  const s = new PassThrough()
  let text = ''
  s.on('data', (c: Buffer) => {
    text += c.toString('utf8')
  })
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { s, lines }
}

describe('createLogger', () => {
  it('drops the lines under its level and binds a child made before the first line', async () => {
    const out = sink()
    const logger = createLogger({ level: 'warn', stream: out.s, format: 'json' })
    const source = logger.child({ sourceId: 'dawn' })
    const request = source.child({ reqId: 7 })
    logger.debug({}, 'not this')
    source.info({ n: 1 }, 'nor this')
    source.warn({ n: 2 }, 'poll failed')
    request.error({ token: 'secret' }, 'request failed')
    logger.warn({}, 'root')
    // a child of a logger that has written already
    source.child({ reqId: 8 }).error({}, 'later')
    await new Promise((r) => setImmediate(r))
    expect(out.lines().map(({ time: _t, ...rest }) => rest)).toEqual([
      { level: 40, sourceId: 'dawn', n: 2, msg: 'poll failed' },
      { level: 50, sourceId: 'dawn', reqId: 7, token: '[redacted]', msg: 'request failed' },
      { level: 40, msg: 'root' },
      { level: 50, sourceId: 'dawn', reqId: 8, msg: 'later' },
    ])
  })

  it('writes nothing when silent', async () => {
    const out = sink()
    const logger = createLogger({ level: 'silent', stream: out.s, format: 'json' })
    logger.error({}, 'x')
    logger.child({ a: 1 }).error({}, 'y')
    await new Promise((r) => setImmediate(r))
    expect(out.lines()).toEqual([])
  })
})
