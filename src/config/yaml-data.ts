/** A parsed YAML document's data in one pass: every alias is its anchor's own value, and keys with an empty value are left out. */
import { type Document, isAlias, isMap, isScalar, isSeq } from 'yaml'

/** A map key as yaml's toJS writes it on an object. */
const keyOf = (key: unknown, value: unknown): string => {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'object') return String(value)
  return String(key)
}

/**
 * The data of `doc` as yaml's `toJS` gives it, except that a key whose value is empty
 * (`admin_token:`, or `${VAR:-}` after interpolation) is left out, as if not written. An alias
 * gives its anchor's value itself, not a copy (yaml's toJS does so too): the data is built in
 * one pass over the document, however often its anchors are reused, and a rule list that
 * narrower topics reuse stays one object for whatever reads it next (rules.ts reads it once).
 * The caller has checked that every alias names an anchor written before it (not around it).
 * @example yamlData(parseDocument('a: &x [1]\nb: *x\nc:')) // { a: [1], b: <the same array> }
 */
export const yamlData = (doc: Document): unknown => {
  // the last anchor of a name before an alias is the one it names: document order
  const anchors = new Map<string, unknown>()
  const data = (node: unknown): unknown => {
    if (isAlias(node)) return anchors.get(node.source)
    let out: unknown
    if (isScalar(node)) out = node.value
    else if (isMap(node)) {
      const map: Record<string, unknown> = {}
      for (const { key, value } of node.items) {
        const k = keyOf(key, isScalar(key) ? key.value : data(key))
        const v = data(value)
        if (v === null || v === undefined) continue
        // as toJS does: a key such as __proto__ is an own property, never the prototype
        if (k in map)
          Object.defineProperty(map, k, {
            value: v,
            writable: true,
            enumerable: true,
            configurable: true,
          })
        else map[k] = v
      }
      out = map
    } else if (isSeq(node)) out = node.items.map(data)
    else out = node ?? null
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.set(node.anchor, out)
    return out
  }
  return data(doc.contents)
}
