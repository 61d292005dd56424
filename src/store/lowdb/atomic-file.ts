/** A lowdb adapter for one JSON document written atomically and durably: temp file, fsync, rename, fsync of the folder. */
import { open, readFile, rename } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Adapter } from 'lowdb'

/** The temp file a write of `file` goes through (a leftover of a killed write is removed at open). */
export const tempOf = (file: string): string => join(dirname(file), `.${basename(file)}.tmp`)

/** Makes the entries of `dir` (a rename, an unlink) durable. */
export const syncDir = async (dir: string): Promise<void> => {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

const writeSynced = async (file: string, text: string): Promise<void> => {
  const fh = await open(file, 'w')
  try {
    await fh.writeFile(text)
    // Data on disk before the rename: otherwise a crash can leave a renamed, empty file.
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** How many temp files are written and synced at once: the disk merges concurrent syncs. */
const PARALLEL = 16

/**
 * Writes each file so that a crash at any moment leaves, for each, the old file or the new one,
 * whole: every temp file is written and synced (several at once), then renamed, then each folder
 * synced once.
 */
export const writeFilesAtomic = async (
  files: readonly { file: string; text: string }[],
): Promise<void> => {
  for (let i = 0; i < files.length; i += PARALLEL) {
    await Promise.all(files.slice(i, i + PARALLEL).map((f) => writeSynced(tempOf(f.file), f.text)))
  }
  for (const f of files) await rename(tempOf(f.file), f.file)
  for (const dir of new Set(files.map((f) => dirname(f.file)))) await syncDir(dir)
}

/** Writes `text` to `file` so that a crash at any moment leaves the old file or the new one, whole. */
export const writeFileAtomic = (file: string, text: string): Promise<void> =>
  writeFilesAtomic([{ file, text }])

/**
 * One lowdb document: `read` gives null for a missing file and `parse`'s result otherwise (parse
 * throws the caller's refusal); `write` is {@link writeFileAtomic} of compact JSON.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    readonly file: string,
    private readonly parse: (text: string) => T,
  ) {}

  async read(): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    return this.parse(text)
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data))
  }
}
