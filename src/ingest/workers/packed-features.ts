/** A feed's story features as one buffer for the worker's reply: packed in the worker, unpacked into views on the main thread. */
import type { StoryFacts } from '../../stories/facts.js'
import type { StoryFeatures } from '../../stories/features.js'

/**
 * The story features of a feed's items, flat: every item's keys, then every item's events, in one
 * Uint32Array whose buffer the worker transfers, and the facts as they are. Per item, structured
 * clone made two ArrayBuffers (each a backing store the receiving thread allocates and its GC
 * tracks); packed, a feed's reply carries one, whatever its item count.
 */
export interface PackedFeatures {
  /** Item i's keys are `data[keyEnds[i-1] … keyEnds[i])`, its events `data[eventEnds[i-1] … eventEnds[i])` (ends absolute). */
  data: Uint32Array
  /** Per item: where its keys end, then where its events end (2 × items values). */
  ends: Uint32Array
  facts: StoryFacts[]
}

/**
 * Packs the features of a feed's items into one buffer (see {@link PackedFeatures}).
 * @example worker.postMessage(packed, [packFeatures(features).data.buffer])
 */
export const packFeatures = (features: readonly StoryFeatures[]): PackedFeatures => {
  let size = 0
  for (const f of features) size += f.keys.length + f.events.length
  const data = new Uint32Array(size)
  const ends = new Uint32Array(features.length * 2)
  let at = 0
  for (let i = 0; i < features.length; i++) {
    const { keys } = features[i] as StoryFeatures
    data.set(keys, at)
    at += keys.length
    ends[2 * i] = at
  }
  for (let i = 0; i < features.length; i++) {
    const { events } = features[i] as StoryFeatures
    data.set(events, at)
    at += events.length
    ends[2 * i + 1] = at
  }
  return { data, ends, facts: features.map((f) => f.facts) }
}

/** The items' features again: keys and events are views of the one buffer (no copy). */
export const unpackFeatures = (packed: PackedFeatures): StoryFeatures[] => {
  const { data, ends, facts } = packed
  const out: StoryFeatures[] = []
  const n = facts.length
  let keysAt = 0
  let eventsAt = n === 0 ? 0 : (ends[2 * n - 2] as number)
  for (let i = 0; i < n; i++) {
    const keysEnd = ends[2 * i] as number
    const eventsEnd = ends[2 * i + 1] as number
    out.push({
      keys: data.subarray(keysAt, keysEnd),
      facts: facts[i] as StoryFacts,
      events: data.subarray(eventsAt, eventsEnd),
    })
    keysAt = keysEnd
    eventsAt = eventsEnd
  }
  return out
}
