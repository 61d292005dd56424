/** Migration of a single-file lowdb store (`data/db.json`) into a partitioned folder, streamed in bounded batches, keeping the file as a backup. */
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { StoreError } from '../../model/errors.js'
import type { Item } from '../../model/types.js'
import { wordsOf } from '../../topics/word-filter.js'
import { issuePath, itemSchema, parseDbFile, refuseFile } from '../lowdb.js'
import { syncDir, writeFileAtomic, writeSynced } from './atomic-file.js'
import { dayDocument, hashOfPartition, indexText } from './day-index.js'
import { dayOf, filesOf, newestFirst } from './layout.js'
import { leanItem } from './lean-item.js'
import { StoreFileStreamError, streamStoreFile } from './store-file-stream.js'

/** Items' JSON held before they are appended to their day's spool file (bounds the memory used). */
const SPOOL_BYTES = 32 * 1_048_576

/** A damaged file up to this size is read whole again to refuse it exactly as the single-file store does. */
const WHOLE_READ_BYTES = 64 * 1_048_576

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * Writes the partitions of the single file `legacy` (shown as `shown`) into `dir`, whole or not at
 * all: built in `dir.migrating` (a migration killed midway leaves only that folder, which the next
 * start removes and builds again from the untouched file), then renamed; then the file is renamed
 * to `legacy.bak`. The file is streamed: items are checked one at a time and spooled per day in
 * bounded batches, so memory holds a batch and one day's items, never the whole file. Each day is
 * written with its index, so the first start after needs no re-index.
 * @returns false when there is no such file (nothing to migrate).
 * @throws StoreError as the single-file store refuses a damaged file (which is left untouched).
 */
export const migrateSingleFile = async (
  legacy: string,
  shown: string,
  dir: string,
  log: (message: string) => void,
): Promise<boolean> => {
  let size: number
  try {
    size = statSync(legacy).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new StoreError(
      `cannot read ${shown} (${describe(err)}). Check that it is a file topicwire may read.`,
      { cause: err },
    )
  }
  const building = `${dir}.migrating`
  await rm(building, { recursive: true, force: true })
  const files = filesOf(building)
  const spool = join(building, 'spool')
  await mkdir(files.items, { recursive: true })
  await mkdir(files.index, { recursive: true })
  await mkdir(spool, { recursive: true })
  const held = new Map<string, string[]>()
  let heldBytes = 0
  const days = new Set<string>()
  const spoolOf = (day: string) => join(spool, `${day}.ndjson`)
  const spoolHeld = (): void => {
    for (const [day, lines] of held) appendFileSync(spoolOf(day), `${lines.join('\n')}\n`)
    held.clear()
    heldBytes = 0
  }
  let count = 0
  let restText: string
  try {
    restText = await streamStoreFile(legacy, (raw, k) => {
      const parsed = itemSchema.safeParse(raw)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        throw refuseFile(
          shown,
          `is not a topicwire store (${issuePath(['items', k, ...issue.path])}: ${issue.message})`,
        )
      }
      const item = parsed.data as Item
      const day = dayOf(item)
      const line = JSON.stringify(item)
      days.add(day)
      const list = held.get(day)
      if (list) list.push(line)
      else held.set(day, [line])
      heldBytes += line.length
      count++
      if (heldBytes > SPOOL_BYTES) spoolHeld()
    })
  } catch (err) {
    await rm(building, { recursive: true, force: true })
    // A damaged file small enough is read whole, so it is refused word for word as before.
    if (size <= WHOLE_READ_BYTES) parseDbFile(await readFile(legacy, 'utf8'), shown)
    if (err instanceof StoreFileStreamError) {
      throw refuseFile(shown, `is not valid JSON (${err.message})`)
    }
    if (err instanceof StoreError) throw err
    throw new StoreError(`cannot read ${shown} (${describe(err)})`, { cause: err })
  }
  // Everything but the items, checked as the single file is (version, states, verdicts).
  const rest = parseDbFile(restText, shown)
  spoolHeld()
  for (const day of [...days].sort()) {
    const items = readFileSync(spoolOf(day), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Item)
      .sort(newestFirst)
    const gen = randomBytes(6).toString('hex')
    const { bytes, spans } = dayDocument(
      day,
      gen,
      items.map((i) => Buffer.from(JSON.stringify(i))),
    )
    // Written inside the folder being built: its rename is the commit.
    const mtimeMs = await writeSynced(files.day(day), bytes)
    const rows = items.map((item, k) => ({
      item: leanItem(item),
      words: wordsOf(item),
      off: spans[k]![0],
      len: spans[k]![1],
    }))
    const stamp = { size: bytes.length, mtimeMs, gen, hash: hashOfPartition(bytes) }
    await writeSynced(files.dayIndex(day), indexText(day, stamp, rows))
    await rm(spoolOf(day))
  }
  await rm(spool, { recursive: true, force: true })
  const { items: _items, ...state } = rest
  await writeFileAtomic(files.state, JSON.stringify(state))
  await Promise.all([syncDir(files.items), syncDir(files.index)])
  await rename(building, dir)
  await syncDir(dirname(dir))
  const backup = existsSync(`${legacy}.bak`) ? `${legacy}.bak-${Date.now()}` : `${legacy}.bak`
  await rename(legacy, backup)
  await syncDir(dirname(legacy))
  log(
    `migrated ${shown} (${count} items) into partitions in ${dirname(shown)}; the file is kept as ${backup}`,
  )
  return true
}
