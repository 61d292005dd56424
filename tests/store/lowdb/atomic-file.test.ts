import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeTextParts } from '../../../src/store/lowdb/atomic-file.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-atomic-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** What writeTextParts leaves in a new file for `parts`, encoding `pieceChars` units at a time. */
const written = async (name: string, parts: string[], pieceChars?: number): Promise<Buffer> => {
  const file = join(dir, name)
  const fh = await open(file, 'w')
  try {
    await writeTextParts(fh, parts, pieceChars)
  } finally {
    await fh.close()
  }
  return readFile(file)
}

describe('writeTextParts', () => {
  it('writes the UTF-8 of the parts joined, whatever the size of the pieces it encodes', async () => {
    // ASCII, two-byte and three-byte characters, and surrogate pairs (4 bytes) where pieces end.
    const parts = [
      '{"head":1',
      `,"words":${JSON.stringify(['abc', 'café', 'naïve'])}`,
      '😀'.repeat(7),
      `a${'😀'.repeat(6)}…`,
      '',
      'x'.repeat(1000),
      '}',
    ]
    const expected = Buffer.from(parts.join(''))
    for (const pieceChars of [2, 3, 4, 5, 7, 64, 4096]) {
      expect(await written(`p${pieceChars}.json`, parts, pieceChars)).toEqual(expected)
    }
    expect(await written('default.json', parts)).toEqual(expected)
  })

  it('writes text larger than its buffer, appending to what the handle wrote before', async () => {
    const file = join(dir, 'large.json')
    const big = 'é€😀abc'.repeat(20_000)
    const fh = await open(file, 'w')
    try {
      await fh.write('start:')
      await writeTextParts(fh, [big, big], 1000)
    } finally {
      await fh.close()
    }
    expect((await readFile(file)).equals(Buffer.from(`start:${big}${big}`))).toBe(true)
  })
})
