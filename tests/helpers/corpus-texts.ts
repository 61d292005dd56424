/** The text fields of every entry of every corpus feed the parser reads, for tests that hold a text function to a reference. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeBody } from '../../src/ingest/parse/decode.js'
import { parseFeed } from '../../src/ingest/parse/parse-feed.js'
import { CORPUS_DIR, filesBelow } from './corpus.js'

/**
 * Each non-empty title, summary, content and author of the corpus's entries, with the file it
 * came from (feeds the parser rejects are passed over: they have no entries to read).
 * @example for await (const { file, text } of corpusEntryTexts()) expect(f(text), file).toBe(g(text))
 */
export async function* corpusEntryTexts(): AsyncGenerator<{ file: string; text: string }> {
  for (const file of filesBelow(join(CORPUS_DIR, 'feeds'))) {
    let feed: Awaited<ReturnType<typeof parseFeed>>
    try {
      feed = await parseFeed(decodeBody(readFileSync(file)).text, 'https://corpus.example/')
    } catch {
      continue
    }
    for (const e of feed.entries)
      for (const text of [e.title, e.summary, e.contentHtml, e.author])
        if (text) yield { file, text }
  }
}
