/** A lowdb adapter for one JSON document written atomically and durably: temp file, fsync, rename, fsync of the folder. */
import { type FileHandle, open, readFile, rename } from 'node:fs/promises'
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

/** UTF-16 code units of a text encoded at once by {@link writeTextParts} (up to 3 bytes each). */
const ENCODE_CHARS = 256 * 1024

/**
 * Writes the UTF-8 of `parts`, one after the other, at `fh`'s position. They are encoded into one
 * reused buffer `pieceChars` code units at a time: `Buffer.from` of a long string (what writing a
 * string does) cost a flush writing an index of MBs more than making its text.
 */
export const writeTextParts = async (
  fh: FileHandle,
  parts: Iterable<string>,
  pieceChars = ENCODE_CHARS,
): Promise<void> => {
  const buffer = Buffer.allocUnsafeSlow(4 * pieceChars)
  let filled = 0
  const drain = async (): Promise<void> => {
    let done = 0
    while (done < filled) done += (await fh.write(buffer, done, filled - done)).bytesWritten
    filled = 0
  }
  for (const part of parts) {
    for (let at = 0; at < part.length; ) {
      let end = Math.min(part.length, at + pieceChars)
      // A piece never ends between the two halves of a surrogate pair.
      const last = part.charCodeAt(end - 1)
      if (end < part.length && end - at > 1 && last >= 0xd800 && last <= 0xdbff) end--
      // At most 3 bytes per code unit (a pair's 4 bytes are 2 units): the piece fits.
      if (filled + 3 * (end - at) > buffer.length) await drain()
      filled += buffer.write(at === 0 && end === part.length ? part : part.slice(at, end), filled)
      at = end
    }
  }
  await drain()
}

/**
 * Writes `data` (a text or bytes, or the UTF-8 of `parts` one after the other, see
 * {@link writeTextParts}) to `file` and syncs it: its bytes are on disk before a rename makes it
 * the file readers see (otherwise a crash can leave a renamed, empty file).
 * @returns the file's modification time, as written.
 */
export const writeSynced = async (
  file: string,
  data: string | Buffer | Iterable<string>,
): Promise<number> => {
  const fh = await open(file, 'w')
  try {
    if (typeof data === 'string' || Buffer.isBuffer(data)) await fh.writeFile(data)
    else await writeTextParts(fh, data)
    await fh.sync()
    return (await fh.stat()).mtimeMs
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
