/** A small loopback publisher of feed files (demo and end-to-end tests): ETag, Last-Modified, gzip. */
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { gzipSync } from 'node:zlib'
import { dict } from '../util/dict.js'

const TYPES: Record<string, string> = dict({
  '.rss': 'application/rss+xml',
  '.xml': 'application/xml',
  '.atom': 'application/atom+xml',
  '.atom03': 'application/atom+xml',
  '.rdf': 'application/rdf+xml',
  '.json': 'application/feed+json',
  '.html': 'text/html; charset=utf-8',
})

export interface FeedServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** Requests answered so far, by status (200, 304, 404). */
  hits: Record<number, number>
  close(): Promise<void>
}

/**
 * Serves the files of `dir` like a well-behaved publisher: strong ETag, Last-Modified from the
 * file's mtime, `304` on either validator, gzip when asked. Files are read per request, so a test
 * or a demo user can edit a feed and see the next poll pick it up.
 */
export const startFeedServer = async (
  dir: string,
  opts: { port?: number } = {},
): Promise<FeedServer> => {
  const hits: Record<number, number> = {}
  const server: Server = createServer((req, res) => {
    const answer = (status: number) => {
      hits[status] = (hits[status] ?? 0) + 1
      res.statusCode = status
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
    if (path.includes('..')) {
      answer(400)
      res.end()
      return
    }
    const file = join(dir, path)
    Promise.all([readFile(file), stat(file)])
      .then(([bytes, st]) => {
        const etag = `"${createHash('sha1').update(bytes).digest('base64url')}"`
        const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString()
        res.setHeader('ETag', etag)
        res.setHeader('Last-Modified', lastModified)
        res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream')
        const inm = req.headers['if-none-match']
        const ims = req.headers['if-modified-since']
        if (inm === etag || (!inm && ims && Date.parse(ims) >= Date.parse(lastModified))) {
          answer(304)
          res.end()
          return
        }
        answer(200)
        if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
          res.setHeader('Content-Encoding', 'gzip')
          res.end(gzipSync(bytes))
        } else {
          res.end(bytes)
        }
      })
      .catch(() => {
        answer(404)
        res.end('not found')
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
