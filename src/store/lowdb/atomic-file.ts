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

/** Writes `text` to `file` so that a crash at any moment leaves the old file or the new one, whole. */
export const writeFileAtomic = async (file: string, text: string): Promise<void> => {
  const tmp = tempOf(file)
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(text)
    // Data on disk before the rename: otherwise a crash can leave a renamed, empty file.
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
  await syncDir(dirname(file))
}

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
