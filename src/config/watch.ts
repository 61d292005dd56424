/** Hot reload: watch the configuration file; a valid new file is applied, an invalid one rejected. */
import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { AppConfig } from '../model/types.js'
import { loadConfig } from './load.js'

/**
 * Calls `onChange` with the new configuration after the file changes (debounced), or `onInvalid`
 * with the error, in which case the caller keeps its old configuration.
 *
 * The folder is watched, not the file: editors and deployment tools replace the file (a new file
 * renamed over it, or deleted and written again), and a watch on the file itself ends with the
 * inode it was set on. Events for other names in the folder are ignored; a moment in which the
 * file does not exist only delays the reload until it is back.
 */
export const watchConfig = (
  path: string,
  env: Record<string, string | undefined>,
  handlers: { onChange: (c: AppConfig) => Promise<void>; onInvalid: (e: Error) => void },
  debounceMs = 300,
): { close(): void } => {
  let timer: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined
  const name = basename(path)
  const fire = () => {
    loadConfig(path, env)
      .then(handlers.onChange)
      .catch((e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e))
        // Deleted and not yet written again: the event that writes it back fires again.
        if ((e as { cause?: { code?: string } }).cause?.code === 'ENOENT') return
        handlers.onInvalid(err)
      })
  }
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && String(file) !== name) return
      clearTimeout(timer)
      timer = setTimeout(fire, debounceMs)
    })
  } catch (e) {
    handlers.onInvalid(e instanceof Error ? e : new Error(String(e)))
  }
  return {
    close: () => {
      clearTimeout(timer)
      watcher?.close()
    },
  }
}
