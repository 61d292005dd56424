/** A clock that stands still until a test moves it. */
import type { Clock } from '../../src/model/types.js'

export interface TestClock extends Clock {
  advance(ms: number): void
  set(iso: string): void
}

/** A fixed clock at `iso` (default 2026-11-20T12:00:00Z). */
export const fixedClock = (iso = '2026-11-20T12:00:00.000Z'): TestClock => {
  let t = Date.parse(iso)
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms
    },
    set: (s) => {
      t = Date.parse(s)
    },
  }
}
