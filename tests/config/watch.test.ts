import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { watchConfig } from '../../src/config/watch.js'
import type { AppConfig } from '../../src/model/types.js'

const yaml = (title: string) =>
  `sources:\n  - id: dawn\n    title: ${title}\n    url: https://dawn.test/feed\n`

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Starts watching and returns the next outcome (a config or an error) as a promise. */
const watchOnce = (file: string) => {
  let settle: (v: AppConfig | Error) => void = () => {}
  const next = new Promise<AppConfig | Error>((r) => {
    settle = r
  })
  const w = watchConfig(
    file,
    {},
    { onChange: async (c) => settle(c), onInvalid: (e) => settle(e) },
    20,
  )
  return { next, close: w.close }
}

describe('watchConfig', () => {
  it('applies a valid edit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-watch-'))
    const file = join(dir, 'topicwire.yaml')
    await writeFile(file, yaml('Dawn'))
    const w = watchOnce(file)
    await writeFile(file, yaml('Dawn (edited)'))
    const got = await w.next
    w.close()
    expect(got).not.toBeInstanceOf(Error)
    expect((got as AppConfig).sources[0]?.title).toBe('Dawn (edited)')
  })

  it('reports an invalid edit with its location instead of applying it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-watch-'))
    const file = join(dir, 'topicwire.yaml')
    await writeFile(file, yaml('Dawn'))
    const w = watchOnce(file)
    await writeFile(file, `${yaml('Dawn')}    evry: 5m\n`)
    const got = await w.next
    w.close()
    expect(got).toBeInstanceOf(Error)
    expect((got as Error).message).toContain(`${file}:5:5: unknown key "evry"`)
  })

  it('follows an editor that saves by replacing the file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-watch-'))
    const file = join(dir, 'topicwire.yaml')
    await writeFile(file, yaml('Dawn'))
    const w = watchOnce(file)
    await writeFile(join(dir, 'tmp.yaml'), yaml('Dawn (replaced)'))
    await rename(join(dir, 'tmp.yaml'), file)
    const got = await w.next
    w.close()
    expect((got as AppConfig).sources[0]?.title).toBe('Dawn (replaced)')
  })
})

describe('watchConfig after the file was replaced or removed', () => {
  /** Watches and collects every outcome; `next()` waits for one more. */
  const watchAll = (file: string) => {
    const seen: (AppConfig | Error)[] = []
    let wake: () => void = () => {}
    const w = watchConfig(
      file,
      {},
      {
        onChange: async (c) => {
          seen.push(c)
          wake()
        },
        onInvalid: (e) => {
          seen.push(e)
          wake()
        },
      },
      20,
    )
    const next = async (): Promise<AppConfig | Error> => {
      const n = seen.length
      while (seen.length === n)
        await new Promise<void>((r) => {
          wake = r
        })
      return seen[seen.length - 1] as AppConfig | Error
    }
    return { next, close: w.close }
  }
  const title = (c: AppConfig | Error) => (c instanceof Error ? c.message : c.sources[0]?.title)

  it('keeps following edits after a rename over the file, and after a delete and recreate', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-watch-'))
    const file = join(dir, 'topicwire.yaml')
    await writeFile(file, yaml('Dawn'))
    const w = watchAll(file)
    await writeFile(join(dir, 'tmp.yaml'), yaml('Renamed'))
    await rename(join(dir, 'tmp.yaml'), file)
    expect(title(await w.next())).toBe('Renamed')
    await writeFile(file, yaml('Edited after the rename'))
    expect(title(await w.next())).toBe('Edited after the rename')
    await rm(file)
    // Gone for longer than the debounce: no error is reported for the moment it is missing.
    await new Promise((r) => setTimeout(r, 200))
    await writeFile(file, yaml('Recreated'))
    expect(title(await w.next())).toBe('Recreated')
    await writeFile(file, yaml('Edited after the recreate'))
    expect(title(await w.next())).toBe('Edited after the recreate')
    w.close()
  })
})
