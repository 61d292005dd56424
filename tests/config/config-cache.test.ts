/** The validated configuration's cache: same result as a full read, any byte change a miss, and never read from a file or folder another user could write. */
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  buildConfigCache,
  type ConfigCache,
  MAX_CONFIG_CACHE_ENTRIES,
} from '../../src/config/config-cache.js'
import { readConfigFile } from '../../src/config/config-file.js'
import { loadConfig } from '../../src/config/load.js'
import { ConfigError } from '../../src/model/errors.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs('tw-config-cache-')

const CONFIG = `# a comment
storage: { path: data/db.json }
sources:
  - { id: one, url: "https://one.example/feed.xml", every: 10m }
  - url: https://two.example/rss
    title: Two
topics:
  border: { title: Border, match: Torkham OR Chaman }
`

/** A configuration file and a cache folder in a fresh temp folder. */
const setup = (text = CONFIG) => {
  const dir = tempDir()
  const file = join(dir, 'topicwire.yaml')
  writeFileSync(file, text)
  const cache: ConfigCache = { dir: join(dir, 'cache'), fingerprint: 'build 1' }
  return { dir, file, cache }
}

const entries = (cache: ConfigCache) => readdirSync(cache.dir).filter((f) => f.endsWith('.json'))

/**
 * Rewrites the one cache entry so that a read from it is told apart from a full read: the
 * second source's title becomes "From the cache" (its key kept).
 */
const tamper = (cache: ConfigCache): string => {
  // the entry written last, when there are several
  const [path = ''] = entries(cache)
    .map((name) => join(cache.dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  const entry = JSON.parse(readFileSync(path, 'utf8'))
  entry.parsed.sources[1].title = 'From the cache'
  writeFileSync(path, JSON.stringify(entry))
  return path
}

const titleOfTwo = async (file: string, cache: ConfigCache, env = {}) =>
  (await loadConfig(file, env, cache)).sources[1]?.title

describe('the configuration cache', () => {
  it('gives what a full read gives, then answers from its entry', async () => {
    const { file, cache } = setup()
    const full = await loadConfig(file, {})
    expect(await loadConfig(file, {}, cache)).toEqual(full)
    expect(entries(cache)).toHaveLength(1)
    expect(await loadConfig(file, {}, cache)).toEqual(full)
    tamper(cache)
    expect(await titleOfTwo(file, cache)).toBe('From the cache')
  })

  it('says when it does not answer, before the full read (fetch --once starts its workers then)', async () => {
    const { file, cache } = setup()
    const misses: string[] = []
    const read = (c?: ConfigCache) =>
      readConfigFile(file, {}, undefined, c, () => misses.push('miss'))
    await read(cache)
    expect(misses).toEqual(['miss'])
    await read(cache)
    expect(misses).toEqual(['miss'])
    await read()
    expect(misses).toEqual(['miss', 'miss'])
  })

  it.each([
    ['a comment added', (t: string) => `${t}# more\n`],
    ['a space added at the end of a line', (t: string) => t.replace('Two\n', 'Two \n')],
    ['one letter changed', (t: string) => t.replace('title: Two', 'title: Twa')],
    ['a byte order mark added', (t: string) => `\uFEFF${t}`],
  ])('is not used after any change of the bytes: %s', async (_, edit) => {
    const { file, cache } = setup()
    await loadConfig(file, {}, cache)
    tamper(cache)
    writeFileSync(file, edit(CONFIG))
    expect(await titleOfTwo(file, cache)).toMatch(/^Tw[oa]$/)
    // …and the new bytes have their own entry, in place of the old one
    expect(entries(cache)).toHaveLength(1)
  })

  it.each([
    ['no data', null],
    ['data of the wrong shape', { sources: 'not a list' }],
  ])('reads the file the full way when its entry holds %s', async (_, parsed) => {
    const { file, cache } = setup()
    const full = await loadConfig(file, {})
    await loadConfig(file, {}, cache)
    const [name] = entries(cache)
    const path = join(cache.dir, name ?? '')
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), parsed }))
    expect(await loadConfig(file, {}, cache)).toEqual(full)
  })

  it('keeps the entries of the configurations read last, the oldest dropped', async () => {
    const { dir, cache } = setup()
    const files = Array.from({ length: MAX_CONFIG_CACHE_ENTRIES + 2 }, (_, i) => {
      const file = join(dir, `c${i}.yaml`)
      writeFileSync(file, CONFIG)
      return file
    })
    for (const [i, file] of files.entries()) {
      await loadConfig(file, {}, cache)
      // distinct write times, oldest first, whatever the file system's clock resolution
      const at = new Date(Date.UTC(2026, 0, 1, 0, i))
      for (const name of entries(cache))
        if (statSync(join(cache.dir, name)).mtimeMs > at.getTime())
          utimesSync(join(cache.dir, name), at, at)
    }
    expect(entries(cache)).toHaveLength(MAX_CONFIG_CACHE_ENTRIES)
    // the last file read still answers from its entry
    tamper(cache)
    expect(await titleOfTwo(files.at(-1) ?? '', cache)).toBe('From the cache')
  })

  it('is not used by another build', async () => {
    const { file, cache } = setup()
    await loadConfig(file, {}, cache)
    tamper(cache)
    expect(await titleOfTwo(file, { ...cache, fingerprint: 'build 2' })).toBe('Two')
  })

  it('applies the environment and reads model files afresh on every read', async () => {
    const { dir, file, cache } = setup(
      `${CONFIG}    model: { file: model.json, threshold: 0.3 }\n`.replace(
        '  border: { title: Border, match: Torkham OR Chaman }\n    model',
        '  border:\n    title: Border\n    match: Torkham OR Chaman\n    model',
      ),
    )
    const model = (bias: number) =>
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ version: 1, examples: { in: 3, out: 4 }, bias, weights: { a: 1 } }),
      )
    model(-0.25)
    expect((await loadConfig(file, {}, cache)).topics[0]?.model?.base?.bias).toBe(-0.25)
    tamper(cache)
    model(0.5)
    const again = await loadConfig(file, { PORT: '9123' }, cache)
    expect(again.sources[1]?.title).toBe('From the cache')
    expect(again.topics[0]?.model?.base?.bias).toBe(0.5)
    expect(again.server.port).toBe(9123)
    expect(again.storage.path).toBe(join(dir, 'data/db.json'))
  })

  it('reads the file again for an environment override that is wrong, with its place', async () => {
    const { file, cache } = setup()
    await loadConfig(file, {}, cache)
    const failure = (c?: ConfigCache) =>
      loadConfig(file, { PORT: 'eighty' }, c).catch((e: unknown) => e)
    const error = await failure(cache)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual(((await failure()) as ConfigError).issues)
    expect((error as ConfigError).issues[0]).toMatchObject({ file, line: 2, column: 1 })
    expect((error as ConfigError).message).toContain('PORT')
  })

  it('keeps no entry of a file that reads the environment (its values never go to disk)', async () => {
    const { file, cache } = setup(CONFIG.replace('title: Two', `title: \${TITLE}`))
    const config = await loadConfig(file, { TITLE: 'secret-title' }, cache)
    expect(config.sources[1]?.title).toBe('secret-title')
    expect(() => entries(cache)).toThrow()
  })

  it('keeps no entry of an invalid file', async () => {
    const { file, cache } = setup(`${CONFIG}bogus: 1\n`)
    await expect(loadConfig(file, {}, cache)).rejects.toThrow(ConfigError)
    expect(() => entries(cache)).toThrow()
  })

  it.each([
    ['an entry others can write', (_: string, entry: string) => chmodSync(entry, 0o666)],
    ['an entry its group can write', (_: string, entry: string) => chmodSync(entry, 0o620)],
    ['a folder others can write', (dir: string) => chmodSync(dir, 0o777)],
  ])('refuses %s', async (_, loosen) => {
    const { file, cache } = setup()
    await loadConfig(file, {}, cache)
    const entry = tamper(cache)
    loosen(cache.dir, entry)
    expect(await titleOfTwo(file, cache)).toBe('Two')
  })

  it('refuses an entry that is a link, and a folder that is a link', async () => {
    const { dir, file, cache } = setup()
    await loadConfig(file, {}, cache)
    const entry = tamper(cache)
    const name = entry.slice(cache.dir.length + 1)
    // the entry's name a link to the tampered file kept elsewhere
    const elsewhere = join(dir, 'elsewhere')
    mkdirSync(elsewhere, { mode: 0o700 })
    writeFileSync(join(elsewhere, name), readFileSync(entry), { mode: 0o600 })
    const linked = { ...cache, dir: join(dir, 'linked') }
    mkdirSync(linked.dir, { mode: 0o700 })
    symlinkSync(join(elsewhere, name), join(linked.dir, name))
    expect(await titleOfTwo(file, linked)).toBe('Two')
    // the folder itself a link to the folder holding the tampered entry
    const viaLink = { ...cache, dir: join(dir, 'cache-link') }
    symlinkSync(cache.dir, viaLink.dir)
    expect(await titleOfTwo(file, viaLink)).toBe('Two')
  })

  it.skipIf(process.getuid?.() !== 0)(
    'refuses an entry or a folder owned by another user',
    async () => {
      const { file, cache } = setup()
      await loadConfig(file, {}, cache)
      const entry = tamper(cache)
      chownSync(entry, 4321, 4321)
      expect(await titleOfTwo(file, cache)).toBe('Two')
      // and does not write into a folder that is not its own
      const other = setup()
      mkdirSync(other.cache.dir, { mode: 0o700 })
      chownSync(other.cache.dir, 4321, 4321)
      await loadConfig(other.file, {}, other.cache)
      expect(entries(other.cache)).toHaveLength(0)
    },
  )

  it('exists only for a command run from a build, and can be turned off', () => {
    // the tests run the TypeScript sources, which have no build stamp beside them
    expect(buildConfigCache({})).toBeUndefined()
    expect(buildConfigCache({ TOPICWIRE_CONFIG_CACHE: 'off' })).toBeUndefined()
  })
})
