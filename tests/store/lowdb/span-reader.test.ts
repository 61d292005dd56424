import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSpanReader } from '../../../src/store/lowdb/span-reader.js'

let dir: string
let file: string
/** 0..199 as text, one number after the other: every span's expected bytes are easy to say. */
const text = Array.from({ length: 200 }, (_, i) => `<${i}>`).join('')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-span-'))
  file = join(dir, 'day.json')
  await writeFile(file, text)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('createSpanReader', () => {
  it('reads spans forward, backward and across windows as the file has them', async () => {
    const r = createSpanReader(file, 16)
    const spans: [number, number][] = [
      [0, 3],
      [3, 3],
      [10, 12],
      [30, 16],
      [29, 40],
      [2, 5],
      [text.length - 6, 6],
    ]
    try {
      for (const [off, len] of spans) {
        const got = await r.read(off, len)
        expect(got.toString('latin1')).toBe(text.slice(off, off + len))
      }
    } finally {
      await r.close()
    }
  })

  it('fails with the file and the span when the file ends before the span', async () => {
    const r = createSpanReader(file, 16)
    try {
      await expect(r.read(text.length - 2, 8)).rejects.toThrow(
        `${file} ends before the item at bytes ${text.length - 2}–${text.length + 6}`,
      )
      await expect(r.read(text.length - 2, 40)).rejects.toThrow('ends before the item')
    } finally {
      await r.close()
    }
  })

  it('opens the file only when first read, and closes it again', async () => {
    const r = createSpanReader(join(dir, 'absent.json'))
    await r.close()
    await expect(r.read(0, 1)).rejects.toThrow('ENOENT')
    await r.close()
  })
})
