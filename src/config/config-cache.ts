/** A one-shot command's cache of the validated configuration, keyed by the file's bytes and the build that validated them; never trusted from a file another user could write. */
import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ParsedConfig } from './schema.js'

type Env = Record<string, string | undefined>

/**
 * Where entries live and what they were made by: an entry whose fingerprint differs (another
 * build, another node) is a miss.
 */
export interface ConfigCache {
  dir: string
  fingerprint: string
}

/**
 * Entries kept (one per configuration file path; ~100 B a source): past it the oldest go, so
 * that configurations made and dropped (benchmarks, trials) do not pile up.
 */
export const MAX_CONFIG_CACHE_ENTRIES = 32

/** Bumped when an entry's layout changes. */
const FORMAT = 'topicwire-config-cache 1'

/**
 * The cache of a command run from a build (`npm run build`'s dist/, stamped by it): under
 * `$XDG_CACHE_HOME/topicwire`, else `~/.cache/topicwire`, its entries valid for that build and
 * this node only. Undefined when running the TypeScript sources (a developer's edits to the
 * schema must never meet an entry of the code before them), without a user id to check files
 * against, or when `TOPICWIRE_CONFIG_CACHE=off`.
 * @example const cache = buildConfigCache(ctx.env) // { dir: '/home/me/.cache/topicwire', fingerprint: '…' }
 */
export const buildConfigCache = (env: Env): ConfigCache | undefined => {
  if (env.TOPICWIRE_CONFIG_CACHE === 'off' || typeof process.getuid !== 'function') return undefined
  let stamp: string
  const stampPath = fileURLToPath(new URL('../.build-stamp', import.meta.url))
  try {
    stamp = readFileSync(stampPath, 'utf8')
  } catch {
    return undefined
  }
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache')
  // no home folder (HOME empty, a user without one): no cache, rather than one under the current folder
  if (!base.startsWith('/')) return undefined
  return {
    dir: join(base, 'topicwire'),
    fingerprint: `${stampPath}\n${stamp.trim()}\n${process.version}`,
  }
}

/** Ours and writable by nobody else: what a cache folder and entry must be to be read. */
const ownedSafely = (st: Stats): boolean => st.uid === process.getuid?.() && (st.mode & 0o022) === 0

/** The entry of the configuration file `path` (one per file: a changed file overwrites it). */
const entryPath = (cache: ConfigCache, path: string): string =>
  join(
    cache.dir,
    `config-${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 32)}.json`,
  )

/** What an entry must hold to answer for `text`: the build's fingerprint and the file's bytes. */
const keyOf = (cache: ConfigCache, text: string): string =>
  createHash('sha256').update(`${FORMAT}\0${cache.fingerprint}\0`).update(text).digest('hex')

/**
 * Whether `text` can be cached at all: a file that reads `${VAR}` depends on the environment
 * (whose values, secrets among them, never go to disk); such a file is read the full way each time.
 */
export const cacheable = (text: string): boolean => !text.includes('${')

/** A folder that is ours and writable by nobody else (not a link to one). */
const safeDir = (dir: string): boolean => {
  try {
    const st = lstatSync(dir)
    return st.isDirectory() && ownedSafely(st)
  } catch {
    return false
  }
}

/**
 * The validated data cached for the configuration file `path` whose bytes are `text`, or
 * undefined: no entry, an entry for other bytes or another build, or one that is not ours or
 * that others could write (folder or file, a link refused), or any error reading it.
 * @example const parsed = readCachedConfig(cache, 'topicwire.yaml', text)
 */
export const readCachedConfig = (
  cache: ConfigCache,
  path: string,
  text: string,
): ParsedConfig | undefined => {
  if (!cacheable(text) || !safeDir(cache.dir)) return undefined
  let fd: number | undefined
  try {
    fd = openSync(entryPath(cache, path), constants.O_RDONLY | constants.O_NOFOLLOW)
    const st = fstatSync(fd)
    if (!st.isFile() || !ownedSafely(st)) return undefined
    const entry = JSON.parse(readFileSync(fd, 'utf8')) as { key?: unknown; parsed?: unknown }
    if (entry.key !== keyOf(cache, text) || typeof entry.parsed !== 'object' || !entry.parsed)
      return undefined
    return entry.parsed as ParsedConfig
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Stores `parsedJson` (the validated data of `text`, as JSON) for the next read of `path`: the
 * folder made private when missing, the entry written whole (a temporary file renamed over it).
 * Nothing is written into a folder that is not ours alone; failures are ignored (a cache).
 */
export const writeCachedConfig = (
  cache: ConfigCache,
  path: string,
  text: string,
  parsedJson: string,
): void => {
  if (!cacheable(text)) return
  const target = entryPath(cache, path)
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}`
  try {
    mkdirSync(cache.dir, { recursive: true, mode: 0o700 })
    if (!safeDir(cache.dir)) return
    writeFileSync(temp, `{"key":"${keyOf(cache, text)}","parsed":${parsedJson}}`, {
      mode: 0o600,
      flag: 'wx',
    })
    renameSync(temp, target)
    prune(cache.dir)
  } catch {
    try {
      unlinkSync(temp)
    } catch {
      // never written
    }
  }
}

/** Removes the least recently written entries past {@link MAX_CONFIG_CACHE_ENTRIES}. */
const prune = (dir: string): void => {
  const names = readdirSync(dir).filter((n) => /^config-[0-9a-f]{32}\.json$/.test(n))
  if (names.length <= MAX_CONFIG_CACHE_ENTRIES) return
  const aged = names.map((n) => ({ path: join(dir, n), at: statSync(join(dir, n)).mtimeMs }))
  aged.sort((a, b) => a.at - b.at)
  for (const { path } of aged.slice(0, aged.length - MAX_CONFIG_CACHE_ENTRIES)) unlinkSync(path)
}
