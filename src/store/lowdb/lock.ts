/** The single-writer lock of a partitioned store folder: a `lock` file holding the owner's pid. */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { StoreError } from '../../model/errors.js'

/** Lock files this process holds, so a second open in the same process is refused too. */
const held = new Set<string>()

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: a live process of another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the lock of `dir` (shown as `shown` in messages), or throws a StoreError when another live
 * process holds it. A lock left by a dead process is taken over and said through `log`. `name` is
 * the lock file's name in `dir` (`lock`; a migration locks its future folder from beside it).
 * @returns release: removes the lock file (idempotent).
 */
export const acquireLock = (
  dir: string,
  shown: string,
  log: (message: string) => void = () => undefined,
  name = 'lock',
): (() => void) => {
  const file = join(dir, name)
  const shownFile = join(shown, name)
  if (held.has(file)) {
    throw new StoreError(
      `${shown} is already open in this process; close the other store first (one writer per folder).`,
    )
  }
  const mine = `${process.pid}\n`
  try {
    writeFileSync(file, mine, { flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new StoreError(`cannot create ${shownFile} (${String(err)})`, { cause: err })
    }
    const text = readFileSync(file, 'utf8')
    const pid = Number.parseInt(text, 10)
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new StoreError(
        `${shown} is in use by another topicwire (pid ${pid}, see ${shownFile}): two writers would lose data. Stop that process first; if no such process runs any more, remove ${shownFile}.`,
      )
    }
    log(
      `took over the lock ${shownFile} of process ${Number.isInteger(pid) ? pid : `"${text.trim()}"`}, which no longer runs`,
    )
    writeFileSync(file, mine)
  }
  held.add(file)
  return () => {
    if (!held.delete(file)) return
    try {
      if (readFileSync(file, 'utf8') === mine) unlinkSync(file)
    } catch {
      // Already gone: nothing to release.
    }
  }
}
