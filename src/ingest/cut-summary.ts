/**
 * The one-byte text of the summaries normalize.ts cut, kept beside their items (its own module:
 * the main thread's workers/wire.ts reads no more of ingest than this).
 */
import type { Item } from '../model/types.js'

/**
 * The text of each item's summary that was cut, before its `…`: one byte a character when the
 * text is Latin-1, where the summary itself is two (the ellipsis is past Latin-1). The analysis
 * worker sends this instead (workers/wire.ts); kept for the items normalizeFeed made.
 */
const cutSummaries = new WeakMap<Item, { summary: string; head: string }>()

/** Remembers that normalize.ts cut `summary` of `item` to `head` and `…`. */
export const rememberCutSummary = (item: Item, summary: string, head: string): void => {
  cutSummaries.set(item, { summary, head })
}

/** The summary of `item` before its `…` when normalizeFeed cut it (and it is still that summary), else undefined. */
export const cutSummaryOf = (item: Item): string | undefined => {
  const cut = cutSummaries.get(item)
  return cut !== undefined && cut.summary === item.summary ? cut.head : undefined
}

/**
 * Drops what {@link cutSummaryOf} keeps of `item` once it is read: the text is a slice of the whole
 * text of the entry's summary, which it keeps alive, and an item that outlives a collection or two
 * would keep it until a full one (a WeakMap's entry dies with its key, not before).
 */
export const forgetCutSummary = (item: Item): void => {
  cutSummaries.delete(item)
}
