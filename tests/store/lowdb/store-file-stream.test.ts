/** The streaming reader of a single-file store: items one at a time across read chunks, the rest as text, structural errors with their offset. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  StoreFileStreamError,
  streamStoreFile,
} from '../../../src/store/lowdb/store-file-stream.js'

const dir = mkdtempSync(join(tmpdir(), 'topicwire-stream-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const fileOf = (text: string): string => {
  const f = join(dir, `f${n++}.json`)
  writeFileSync(f, text)
  return f
}
const collect = async (text: string) => {
  const items: unknown[] = []
  const rest = await streamStoreFile(fileOf(text), (item, k) => {
    expect(k).toBe(items.length)
    items.push(item)
  })
  return { items, rest: JSON.parse(rest) as unknown }
}

describe('streamStoreFile', () => {
  it('hands over every item as JSON.parse reads it, across read chunks, with tricky strings', async () => {
    // Quotes, backslashes, brackets and multi-byte characters in strings; items over 3 MB in all,
    // so values cross the 1 MB chunks at every kind of byte.
    const items = Array.from({ length: 3000 }, (_, k) => ({
      id: `i${k}`,
      title: `He said "[{no}]" \\ then ${'ملا '.repeat(k % 50)} ${'x'.repeat(k % 997)}`,
      n: k * 1.5,
      flag: k % 2 === 0,
      none: null,
      nested: { a: [[k], { b: '}' }] },
    }))
    const doc = { version: 1, states: { a: { sourceId: 'a' } }, items, verdicts: [] }
    const text = JSON.stringify(doc, null, 1)
    const got = await collect(text)
    expect(got.items).toEqual(items)
    expect(got.rest).toEqual({ ...doc, items: [] })
  })

  it('reads numbers, literals and empty arrays as members, and an empty object', async () => {
    expect(await collect('{"version":1,"items":[],"x":true,"y":-2e3}')).toEqual({
      items: [],
      rest: { version: 1, items: [], x: true, y: -2e3 },
    })
    expect(await collect(' { } ')).toEqual({ items: [], rest: {} })
    expect(await collect('{"items":[1 , "a",{}]}')).toEqual({
      items: [1, 'a', {}],
      rest: { items: [] },
    })
  })

  it('reads an item nested a million deep without recursion', async () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`
    const got = await collect(`{"version":1,"items":[${deep},{"id":"after"}]}`)
    expect(got.items).toHaveLength(2)
    expect(got.items[1]).toEqual({ id: 'after' })
  })

  it.each([
    [
      'a missing comma between items',
      '{"version":1,"items":[{"id":"a"} {"id":"b"}]}',
      /expected "," or "\]" after an item at byte 33/,
    ],
    [
      'a file cut short',
      '{"version":1,"items":[{"id":"a"},{"id":"b',
      /ends inside a value at byte 33/,
    ],
    [
      'an item that is not JSON',
      '{"version":1,"items":[{"id":a}]}',
      /not valid JSON .* at byte 22/,
    ],
    [
      'something after the object',
      '{"version":1,"items":[]} x',
      /more after the end of the object at byte 25/,
    ],
    ['not an object', '[1,2]', /expected a JSON object at byte 0/],
  ])('refuses %s, naming the byte', async (_l, text, why) => {
    const err = await streamStoreFile(fileOf(text), () => undefined).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreFileStreamError)
    expect((err as Error).message).toMatch(why)
  })
})
