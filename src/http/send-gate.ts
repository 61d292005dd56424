/** createSendGate: few large bodies handed to the kernel at once, so one flood of big answers cannot hold the event loop. */
import type { ServerResponse } from 'node:http'

/** Bounds of {@link createSendGate}. */
export interface SendGateOptions {
  /** Bodies at least this large pass the gate (default 256 KiB); smaller ones are written at once. */
  minBytes?: number
  /** Large bodies being written at once (default 4). */
  concurrency?: number
}

/** Writes a response's last bytes, large ones in turn. */
export type SendGate = (res: ServerResponse, body: Buffer | string | undefined) => void

const DEFAULT_GATED_BYTES = 256 * 1024
const DEFAULT_SEND_CONCURRENCY = 4

/**
 * Writing a body copies it into the socket within the write call, on the thread that answers
 * everyone: 64 clients asking for a 1 MB page at once would copy 64 MB in one turn of the event
 * loop, and `/healthz` would wait behind it. Large bodies therefore go out a few at a time: the
 * next one starts when one has been handed to the kernel (`finish`) or its client has gone
 * (`close`). Waiting costs a queue slot per connection, no copy; a client that left while
 * waiting is skipped.
 * @example const send = createSendGate(); res.writeHead(200, headers); send(res, body)
 */
export const createSendGate = (opts: SendGateOptions = {}): SendGate => {
  const minBytes = opts.minBytes ?? DEFAULT_GATED_BYTES
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_SEND_CONCURRENCY)
  const waiting: { res: ServerResponse; body: Buffer | string }[] = []
  let writing = 0

  const start = (res: ServerResponse, body: Buffer | string): void => {
    writing++
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      writing--
      let next = waiting.shift()
      while (next && (next.res.destroyed || next.res.writableEnded)) next = waiting.shift()
      if (next) start(next.res, next.body)
    }
    res.once('finish', release)
    res.once('close', release)
    res.end(body)
  }

  return (res, body) => {
    const size = typeof body === 'string' ? body.length : (body?.byteLength ?? 0)
    // HEAD and 304 carry no body: Node writes none.
    if (body === undefined || size < minBytes || res.req.method === 'HEAD') {
      res.end(body)
      return
    }
    if (writing < concurrency) start(res, body)
    else waiting.push({ res, body })
  }
}
