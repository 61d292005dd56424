/** Migration of a single-file lowdb store (`data/db.json`) into a partitioned folder, keeping the file as a backup. */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { StoreError } from '../../model/errors.js'
import type { Item } from '../../model/types.js'
import { DB_VERSION, parseDbFile } from '../lowdb.js'
import { syncDir, writeFileAtomic, writeFilesAtomic } from './atomic-file.js'
import { dayOf, filesOf, newestFirst } from './layout.js'

/**
 * Writes the partitions of the single file `legacy` (shown as `shown`) into `dir`, whole or not at
 * all (built in `dir.migrating`, then renamed), then renames the file to `legacy.bak`.
 * @returns false when there is no such file (nothing to migrate).
 * @throws StoreError as the single-file store refuses a damaged file (which is left untouched).
 */
export const migrateSingleFile = async (
  legacy: string,
  shown: string,
  dir: string,
  log: (message: string) => void,
): Promise<boolean> => {
  let text: string
  try {
    text = await readFile(legacy, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new StoreError(
      `cannot read ${shown} (${err instanceof Error ? err.message : String(err)}). Check that it is a file topicwire may read.`,
      { cause: err },
    )
  }
  const data = parseDbFile(text, shown)
  const building = `${dir}.migrating`
  await rm(building, { recursive: true, force: true })
  const files = filesOf(building)
  await mkdir(files.items, { recursive: true })
  const days = new Map<string, Item[]>()
  for (const item of data.items) {
    const day = dayOf(item)
    const list = days.get(day)
    if (list) list.push(item)
    else days.set(day, [item])
  }
  await writeFilesAtomic(
    [...days].map(([day, items]) => ({
      file: files.day(day),
      text: JSON.stringify({ version: DB_VERSION, day, items: items.sort(newestFirst) }),
    })),
  )
  const { items: _items, ...rest } = data
  await writeFileAtomic(files.state, JSON.stringify(rest))
  await rename(building, dir)
  await syncDir(dirname(dir))
  const backup = existsSync(`${legacy}.bak`) ? `${legacy}.bak-${Date.now()}` : `${legacy}.bak`
  await rename(legacy, backup)
  await syncDir(dirname(legacy))
  log(
    `migrated ${shown} (${data.items.length} items) into partitions in ${dirname(shown)}; the file is kept as ${backup}`,
  )
  return true
}
