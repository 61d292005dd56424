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

/** A new folder holding topicwire.yaml with one source titled Dawn. */
const newConfigFile = async () => {
  const folder = await mkdtemp(join(tmpdir(), 'topicwire-watch-'))
  dir = folder
  const file = join(folder, 'topicwire.yaml')
  await writeFile(file, yaml('Dawn'))
  return { folder, file }
}

/** Watches and collects every outcome; `next()` gives the first one not given yet, waiting for it. */
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
  let given = 0
  const next = async (): Promise<AppConfig | Error> => {
    while (seen.length === given)
      await new Promise<void>((r) => {
        wake = r
      })
    return seen[given++] as AppConfig | Error
  }
  return { next, close: w.close }
}
const title = (c: AppConfig | Error) => (c instanceof Error ? c.message : c.sources[0]?.title)

describe('watchConfig', () => {
  it('applies a valid edit', async () => {
    const { file } = await newConfigFile()
    const w = watchAll(file)
    await writeFile(file, yaml('Dawn (edited)'))
    const got = await w.next()
    w.close()
    expect(got).not.toBeInstanceOf(Error)
    expect((got as AppConfig).sources[0]?.title).toBe('Dawn (edited)')
  })

  it('reports an invalid edit with its location instead of applying it', async () => {
    const { file } = await newConfigFile()
    const w = watchAll(file)
    await writeFile(file, `${yaml('Dawn')}    evry: 5m\n`)
    const got = await w.next()
    w.close()
    expect(got).toBeInstanceOf(Error)
    expect((got as Error).message).toContain(`${file}:5:5: unknown key "evry"`)
  })

  it('follows an editor that saves by replacing the file', async () => {
    const { folder, file } = await newConfigFile()
    const w = watchAll(file)
    await writeFile(join(folder, 'tmp.yaml'), yaml('Dawn (replaced)'))
    await rename(join(folder, 'tmp.yaml'), file)
    const got = await w.next()
    w.close()
    expect((got as AppConfig).sources[0]?.title).toBe('Dawn (replaced)')
  })
})

describe('watchConfig after the file was replaced or removed', () => {
  it('keeps following edits after a rename over the file, and after a delete and recreate', async () => {
    const { folder, file } = await newConfigFile()
    const w = watchAll(file)
    await writeFile(join(folder, 'tmp.yaml'), yaml('Renamed'))
    await rename(join(folder, 'tmp.yaml'), file)
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
