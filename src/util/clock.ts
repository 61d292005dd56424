/** The real clock; tests pass a fixed one (tests/helpers/clock.ts). */
import type { Clock } from '../model/types.js'

export const systemClock: Clock = { now: () => new Date() }
