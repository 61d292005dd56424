/** Hot reload: watch the configuration file; a valid new file is applied, an invalid one rejected. */
import { type FSWatcher, watch } from 'node:fs'
import type { AppConfig } from '../model/types.js'
import { loadConfig } from './load.js'

/**
 * Calls `onChange` with the new configuration after the file changes (debounced), or `onInvalid`
 * with the error, in which case the caller keeps its old configuration.
 */
export const watchConfig = (
  path: string,
  env: Record<string, string | undefined>,
  handlers: { onChange: (c: AppConfig) => Promise<void>; onInvalid: (e: Error) => void },
  debounceMs = 300,
): { close(): void } => {
  let timer: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined
  const fire = () => {
    loadConfig(path, env)
      .then(handlers.onChange)
      .catch((e: unknown) => handlers.onInvalid(e instanceof Error ? e : new Error(String(e))))
  }
  try {
    // Watch the file itself; editors that replace it (rename) re-arm the watcher.
    const arm = () => {
      watcher = watch(path, { persistent: false }, (event) => {
        clearTimeout(timer)
        timer = setTimeout(fire, debounceMs)
        if (event === 'rename') {
          watcher?.close()
          setTimeout(() => {
            try {
              arm()
            } catch {
              /* file gone for now; the next save recreates it and a restart picks it up */
            }
          }, debounceMs)
        }
      })
    }
    arm()
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
