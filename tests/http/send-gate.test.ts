import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createSendGate } from '../../src/http/send-gate.js'

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    s.close()
  }
})

const BIG = Buffer.alloc(3 * 1024 * 1024, 'x')

const start = async () => {
  const send = createSendGate({ minBytes: 1024, concurrency: 1 })
  let started = 0
  const server = createServer((req, res) => {
    started++
    const body = req.url === '/small' ? Buffer.from('small') : BIG
    res.writeHead(200, { 'Content-Length': String(body.byteLength) })
    send(res, body)
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, started: () => started }
}

const get = (port: number, path: string, opts: { abortAfterHeaders?: boolean } = {}) =>
  new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      if (opts.abortAfterHeaders) {
        req.destroy()
        resolve(-1)
        return
      }
      let n = 0
      res.on('data', (c: Buffer) => {
        n += c.byteLength
      })
      res.on('end', () => resolve(n))
    })
    req.on('error', (e) => (opts.abortAfterHeaders ? resolve(-1) : reject(e)))
    req.end()
  })

describe('createSendGate', () => {
  it('sends every large body whole when several wait their turn, and small ones at once', async () => {
    const { port } = await start()
    const sizes = await Promise.all([
      ...Array.from({ length: 5 }, () => get(port, '/big')),
      get(port, '/small'),
    ])
    expect(sizes).toEqual([...Array(5).fill(BIG.byteLength), 5])
  })

  it('skips a client that left while waiting, and the others still get their bodies', async () => {
    const { port } = await start()
    const results = await Promise.all([
      get(port, '/big'),
      get(port, '/big', { abortAfterHeaders: true }),
      get(port, '/big', { abortAfterHeaders: true }),
      get(port, '/big'),
    ])
    expect(results).toEqual([BIG.byteLength, -1, -1, BIG.byteLength])
    expect(await get(port, '/big')).toBe(BIG.byteLength)
  })
})
