/** The journal read back a piece at a time: lines across pieces, UTF-8 across pieces, a cut last line, a damaged line named. */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/model/errors.js'
import type { IngestResult } from '../../../src/model/types.js'
import {
  createJournal,
  encodeEntry,
  journalEntries,
  journalSeqs,
} from '../../../src/store/lowdb/journal.js'
import { makeItem } from '../../helpers/items.js'
import { hoursAfter } from '../contract.js'

const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'topicwire-journal-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const save = (k: number): IngestResult => ({
  sourceId: 'dawn',
  state: { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(k) },
  items: Array.from({ length: k % 4 }, (_, j) =>
    makeItem({
      title: `Zoë’s report ${k}.${j} — ${'ü'.repeat(k % 7)}`,
      summary: `${'naïve 東京 '.repeat(k % 13)}`,
      publishedAt: `2024-05-0${1 + (k % 3)}T10:00:00.000Z`,
    }),
  ),
})

const all = async (dir: string, readBytes?: number): Promise<IngestResult[]> => {
  const out: IngestResult[] = []
  for await (const e of journalEntries(dir, 'shown', await journalSeqs(dir), readBytes)) out.push(e)
  return out
}

describe('journalEntries', () => {
  it('gives every appended entry, in order, over two files, whatever the size of the pieces read', async () => {
    const dir = tempDir()
    const saves = Array.from({ length: 40 }, (_, k) => save(k))
    const first = createJournal(dir, 3)
    for (const s of saves.slice(0, 25)) await first.append(s)
    expect(await first.rotate()).toEqual([3])
    for (const s of saves.slice(25)) await first.append(s)
    await first.close()
    expect(await journalSeqs(dir)).toEqual([3, 4])
    const expected = JSON.parse(JSON.stringify(saves))
    // Pieces of 1, 7 and 64 bytes split lines and the bytes of multi-byte characters.
    for (const readBytes of [1, 7, 64, 1 << 20]) expect(await all(dir, readBytes)).toEqual(expected)
  })

  it('writes appends that arrive while a write is in flight together, in order', async () => {
    const dir = tempDir()
    const saves = Array.from({ length: 30 }, (_, k) => save(k))
    const j = createJournal(dir, 1)
    // Not awaited one by one: all but the first wait for the first write, then go in one.
    await Promise.all(saves.map((s) => j.append(s)))
    await j.close()
    expect(await all(dir)).toEqual(JSON.parse(JSON.stringify(saves)))
  })

  it('drops a last line cut short, and names the file and line of a damaged one when it is reached', async () => {
    const dir = tempDir()
    const j = createJournal(dir, 1)
    await j.append(save(1))
    await j.append(save(2))
    await j.close()
    const file = join(dir, 'journal-000001.jsonl')
    appendFileSync(file, JSON.stringify(save(3)).slice(0, 50))
    expect(await all(dir, 16)).toHaveLength(2)
    appendFileSync(file, '\n{"sourceId":"dawn"}\n')
    const seen: IngestResult[] = []
    const reading = (async () => {
      for await (const e of journalEntries(dir, 'shown', [1], 16)) seen.push(e)
    })()
    await expect(reading).rejects.toThrow(StoreError)
    await expect(all(dir, 16)).rejects.toThrow(/shown\/journal-000001\.jsonl line 3 is damaged/)
    expect(seen).toHaveLength(2)
  })
})

describe('encodeEntry', () => {
  it("makes the entry's JSON line and where each item's JSON lies in it, small or past its scratch buffer", () => {
    const large: IngestResult = {
      ...save(3),
      items: Array.from({ length: 3 }, (_, j) =>
        makeItem({ title: `big ${j} 😀`, summary: `${'…東京😀 '.repeat(60_000)}${j}` }),
      ),
    }
    for (const r of [save(0), save(1), save(3), save(10), large]) {
      const { line, spans } = encodeEntry(r)
      expect(line.toString('utf8')).toBe(`${JSON.stringify(r)}\n`)
      expect(spans).toHaveLength(2 * r.items.length)
      for (const [k, item] of r.items.entries()) {
        const bytes = line.subarray(spans[2 * k]!, spans[2 * k]! + spans[2 * k + 1]!)
        expect(bytes.equals(Buffer.from(JSON.stringify(item)))).toBe(true)
      }
    }
    // Each line is its own: encoding the next entry leaves an earlier one as it was.
    const first = encodeEntry(save(5))
    const text = first.line.toString('utf8')
    encodeEntry(save(6))
    expect(first.line.toString('utf8')).toBe(text)
  })
})
