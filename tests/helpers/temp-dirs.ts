/** Throwaway folders for one test file: made under the OS temp folder, removed after each test. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'

/**
 * A maker of temp folders named `prefix…`; every folder it made is removed after each test.
 * @example const tempDir = tempDirs('tw-model-'); const dir = tempDir()
 */
export const tempDirs = (prefix: string): (() => string) => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix))
    dirs.push(d)
    return d
  }
}
