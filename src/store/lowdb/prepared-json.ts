/** An incoming item's JSON bytes and search words from what the analysis worker computed of it (model's PreparedItem), when they are still the item's. */
import type { Item, PreparedItem } from '../../model/types.js'

const COMMA = Buffer.from(',')
const BRACE = Buffer.from('}')

/** Whether `a` and `b` hold the same strings in the same order. */
const sameStrings = (a: readonly string[], b: readonly string[]): boolean => {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The UTF-8 JSON of `item` (as journal.ts `jsonBytes` writes it) made of `p`'s head and the JSON of
 * the keys after it, or undefined when `p` does not describe `item`: its first `p.keys` keys must
 * be those of `p.of`, in the same order, with the very same values (the poll's thread treats
 * items as immutable: it copies one to change it, so a value that is the same is the same JSON).
 * @example preparedJson(item, prepared.get(item.id)) ?? jsonBytes(item)
 */
export const preparedJson = (item: Item, p: PreparedItem | undefined): Buffer | undefined => {
  if (p === undefined) return undefined
  const keys = Object.keys(item)
  const ofKeys = Object.keys(p.of)
  const n = p.keys
  if (keys.length < n || ofKeys.length < n) return undefined
  const a = item as unknown as Record<string, unknown>
  const b = p.of as unknown as Record<string, unknown>
  for (let k = 0; k < n; k++) {
    const key = keys[k]!
    if (key !== ofKeys[k] || a[key] !== b[key]) return undefined
  }
  const rest: Record<string, unknown> = {}
  for (let k = n; k < keys.length; k++) rest[keys[k]!] = a[keys[k]!]
  // `{` + members + `}`, split after the head's members: join the two with a comma when both
  // have some (a member whose value JSON leaves out, undefined, writes nothing either way).
  const tail = JSON.stringify(rest)
  const head = p.head
  if (tail === '{}') return Buffer.concat([head, BRACE])
  if (head.length === 1) return Buffer.from(tail)
  return Buffer.concat([head, COMMA, Buffer.from(tail.slice(1))])
}

/**
 * The search words of `item` from `p` when `item` has `p.of`'s title, summary, content and
 * categories (all that topics/search-words.ts `searchWordsOf` reads), else undefined.
 */
export const preparedWords = (item: Item, p: PreparedItem | undefined): string | undefined => {
  if (p === undefined) return undefined
  const of = p.of
  const same =
    item.title === of.title &&
    item.summary === of.summary &&
    item.contentHtml === of.contentHtml &&
    sameStrings(item.categories, of.categories)
  return same ? p.words : undefined
}
