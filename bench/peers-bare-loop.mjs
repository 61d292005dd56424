/**
 * The bare loop of `npm run bench peers`: undici, conditional requests and a regex, no XML parser,
 * no tagging, no store beyond one JSON file per feed. Plain JavaScript run by plain node, so that its
 * start-up is node's alone. Usage: node peers-bare-loop.mjs URLS_FILE STATE_DIR CONCURRENCY
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent, request } from 'undici'

const [urlsFile, stateDir, concurrencyArg] = process.argv.slice(2)
const concurrency = Number(concurrencyArg ?? 16)
const urls = readFileSync(urlsFile, 'utf8').split('\n').filter(Boolean)
mkdirSync(join(stateDir, 'items'), { recursive: true })
const stateFile = join(stateDir, 'validators.json')
/** url → [etag, last-modified] of the last 200. */
let validators = {}
try {
  validators = JSON.parse(readFileSync(stateFile, 'utf8'))
} catch {
  // a fresh state
}

const dispatcher = new Agent({ connections: 4, keepAliveTimeout: 10_000 })
const field = (item, tag) =>
  new RegExp(`<${tag}[^>]*>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</${tag}>`).exec(item)?.[1]
const counts = { 200: 0, 304: 0, other: 0, items: 0 }

const poll = async (i) => {
  const url = urls[i]
  const [etag, lastModified] = validators[url] ?? []
  const headers = {}
  if (etag) headers['if-none-match'] = etag
  if (lastModified) headers['if-modified-since'] = lastModified
  const res = await request(url, { dispatcher, headers })
  if (res.statusCode === 304) {
    counts[304]++
    await res.body.dump()
    return
  }
  if (res.statusCode !== 200) {
    counts.other++
    await res.body.dump()
    return
  }
  counts[200]++
  const text = await res.body.text()
  const items = []
  for (const m of text.matchAll(/<item>([\s\S]*?)<\/item>/g)) {
    const item = m[1]
    items.push({
      guid: field(item, 'guid'),
      title: field(item, 'title'),
      link: field(item, 'link'),
      date: field(item, 'pubDate'),
      description: field(item, 'description'),
    })
  }
  counts.items += items.length
  await writeFile(join(stateDir, 'items', `${i}.json`), JSON.stringify(items))
  validators[url] = [res.headers.etag, res.headers['last-modified']]
}

let next = 0
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < urls.length) await poll(next++)
  }),
)
writeFileSync(stateFile, JSON.stringify(validators))
await dispatcher.close()
process.stdout.write(`${JSON.stringify(counts)}\n`)
