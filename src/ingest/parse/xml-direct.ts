/** RSS 2.0 items and Atom entries read straight from the XML scanner's events, without their xml2js tree. */
import {
  ATOM_CHECKED,
  atomItemCheck,
  feedOfTree,
  RSS_CHECKED,
  rssItemCheck,
} from './feed-of-tree.js'
import { scanPlainXml, type XmlEvents } from './xml-scan.js'
import { defuse, defuseReads } from './xml-shape.js'
import { type TreeBuilder, treeBuilder, type XmlTreeOptions } from './xml-tree.js'

type Node = Record<string, unknown>

/** An object without a prototype, as xml-tree.ts makes its nodes. */
const node = (): Node => Object.create(null) as Node

/** Thrown from an event to stop reading: the document is not of the form read here. */
const GIVE_UP: unique symbol = Symbol('give up')

/** Whitespace only, as xml-tree.ts tests an element's text (`\s`: Unicode spaces included). */
const BLANK = /^\s*$/

const run = (processors: readonly ((name: string) => string)[], name: string): string => {
  let out = name
  for (const p of processors) out = p(out)
  return out
}

/** Where a dialect keeps its entries, and what rss-parser's reading of one checks (feed-of-tree.ts). */
interface Dialect {
  root: string
  /** The element between the root and the entries (RSS's first `<channel>`), if any. */
  container: string | undefined
  entry: string
  /** The entries' xpath, as xml-tree.ts hands it to the validator. */
  path: string
  /** rss-parser's checks of an entry (they throw where its reading did), and the fields they read. */
  check: (entry: unknown) => void
  checked: readonly string[]
}

const RSS: Dialect = {
  root: 'rss',
  container: 'channel',
  entry: 'item',
  path: '/rss/channel/item',
  check: rssItemCheck,
  checked: RSS_CHECKED,
}
const ATOM: Dialect = {
  root: 'feed',
  container: undefined,
  entry: 'entry',
  path: '/feed/entry',
  check: atomItemCheck,
  checked: ATOM_CHECKED,
}

/** How the entries' fields of one list are read in one dialect (made once per list and dialect). */
interface Plan {
  /** Index in the list, by name (`$`, the attributes, apart). */
  index: Map<string, number>
  /** Index of `$` in the list, or -1. */
  attrsAt: number
  /** `tw:<name>`, the field's xpath, and whether `defuse` may change its values, by index. */
  tws: string[]
  paths: string[]
  validated: boolean[]
  /** Index of each field the dialect's checks read; undefined when the list cannot be read here. */
  checked: number[] | undefined
}

const plans = new WeakMap<readonly string[], Map<Dialect, Plan>>()
const planOf = (itemFields: readonly string[], dialect: Dialect): Plan => {
  let byDialect = plans.get(itemFields)
  if (byDialect === undefined) {
    byDialect = new Map()
    plans.set(itemFields, byDialect)
  }
  let plan = byDialect.get(dialect)
  if (plan === undefined) {
    const index = new Map<string, number>()
    itemFields.forEach((name, i) => {
      if (name !== '$' && !index.has(name)) index.set(name, i)
    })
    const paths = itemFields.map((name) => `${dialect.path}/${name}`)
    const checked = dialect.checked.map((name) => index.get(name) ?? -1)
    plan = {
      index,
      attrsAt: itemFields.indexOf('$'),
      tws: itemFields.map((name) => `tw:${name}`),
      paths,
      validated: paths.map(defuseReads),
      // A list naming a field twice, or without one the checks read, is read through the tree.
      checked:
        checked.includes(-1) || new Set(itemFields).size !== itemFields.length
          ? undefined
          : checked,
    }
    byDialect.set(dialect, plan)
  }
  return plan
}

/**
 * What `feedOfTree(readXmlTree(xml, options), feedFields, itemFields)` gives for an RSS 2.0 or
 * Atom document read strictly with xml-shape.ts's options, with the entries (the items of the
 * first `<channel>`, the root's `<entry>`s) read from xml-scan.ts's events as they come rather
 * than built into xml2js's tree and copied field by field. An entry's fields that are read
 * (`itemFields`) are made as the tree makes them — a plain element (text, or `$` and `_`) here,
 * one with child elements by xml-tree.ts's builder alone, each through the validator with the
 * xpath it would have in the whole tree (where it may change anything) — then copied as
 * feed-of-tree.ts copies them and checked by its own rssItemCheck or atomItemCheck; its other
 * children are skipped. The root and the feed's own elements go to xml-tree.ts's builder as
 * before, with one empty entry standing for the entries.
 *
 * Reads with xml-shape.ts's `defuse` as the validator (else undefined), relying on what it does to
 * an entry (a blank or text-only entry is `{}`, which reads as one with no field) and on
 * `defuseReads`.
 *
 * Undefined — and the caller reads the document through the tree, which is always right — for
 * anything outside that form: a document the scan leaves to sax, another root, several channels
 * or RSS items outside one, an element named `_`, or any error (which the tree's reading then
 * reports as it always did). Every cap stays: the document is the one parse-feed.ts capped, and
 * nesting is followed with counters, without recursion. tests/ingest/parse/xml-direct.test.ts holds the two equal on the corpus and on generated
 * documents.
 * @example readDirect(xml, 'rss', xml2jsOptions(xml, 'rss', false), FEED_FIELDS, ITEM_FIELDS)?.items
 */
export const readDirect = (
  xml: string,
  format: 'rss' | 'atom',
  options: XmlTreeOptions,
  feedFields: readonly string[],
  itemFields: readonly string[],
): Record<string, unknown> | undefined => {
  if (!options.strict || options.validator !== defuse || xml.charCodeAt(0) === 0xfeff)
    return undefined
  const dialect = format === 'rss' ? RSS : ATOM
  const plan = planOf(itemFields, dialect)
  const checked = plan.checked
  if (checked === undefined) return undefined
  const { index, attrsAt, tws, paths, validated } = plan
  const fields = itemFields.length
  const b = treeBuilder(options)
  const { tagNameProcessors, attrNameProcessors } = options
  const tagNames = new Map<string, string>()
  const attrNames = new Map<string, string>()
  const tagName = (raw: string): string => {
    let name = tagNames.get(raw)
    if (name === undefined) {
      name = run(tagNameProcessors, raw)
      tagNames.set(raw, name)
    }
    if (name === '_') throw GIVE_UP
    return name
  }
  /** The attributes as the tree's `$` (names processed, the last of a name winning), or undefined. */
  const attrsOf = (attrs: Record<string, string>): Node | undefined => {
    let out: Node | undefined
    for (const key in attrs) {
      if (!Object.hasOwn(attrs, key)) continue
      out ??= node()
      let name = attrNames.get(key)
      if (name === undefined) {
        name = run(attrNameProcessors, key)
        attrNames.set(key, name)
      }
      out[name] = attrs[key]
    }
    return out
  }

  const items: Record<string, unknown>[] = []
  /** Open elements outside entries (the root is 1). */
  let depth = 0
  let containers = 0
  /** Whether the element holding the entries (the channel, Atom's root) is open. */
  let inHolder = false
  /** The first entry's name as written, once one was read. */
  let entryRaw: string | undefined
  /** The entry being read: its attributes and its read fields' values, by index in `itemFields`. */
  let inEntry = false
  let entryAttrs: Node | undefined
  let slots: (unknown[] | undefined)[] = []
  /** The entry's child element being read (its name, attributes, text), when one is open. */
  let fieldName: string | undefined
  /** Its index in `itemFields`, or -1 for a field not read. */
  let fieldAt = -1
  let fieldRaw = ''
  let fieldRawAttrs: Record<string, string> = {}
  let fieldText = ''
  let fieldCdata = false
  /** Elements open inside the field. */
  let inner = 0
  /** The builder of a read field with child elements, when the open field is one. */
  let sub: TreeBuilder | undefined
  let subBuilder: TreeBuilder | undefined

  const pushField = (at: number, value: unknown): void => {
    const list = slots[at]
    if (list === undefined) slots[at] = [value]
    else list.push(value)
  }

  /** A plain read field's value: xml-tree.ts's close of an element without children. */
  const endPlainField = (at: number): void => {
    const attrs = attrsOf(fieldRawAttrs)
    // Blank text (not CDATA) is dropped; then the value is the text alone, or the node with its
    // `$` (and `_`).
    let value: unknown
    // Text that starts with a printable ASCII character is not blank: no regex needed.
    const first = fieldText.charCodeAt(0)
    if (!fieldCdata && !(first > 32 && first < 127) && BLANK.test(fieldText)) {
      if (attrs === undefined) value = fieldText
      else {
        value = node()
        ;(value as Node).$ = attrs
      }
    } else if (attrs === undefined) value = fieldText
    else {
      value = node()
      ;(value as Node)._ = fieldText
      ;(value as Node).$ = attrs
    }
    pushField(at, validated[at] ? defuse(paths[at] as string, slots[at], value) : value)
  }

  /** The entry's item: its fields copied as feed-of-tree.ts copyFields copies them, then checked. */
  const endEntry = (): Record<string, unknown> => {
    const item: Record<string, unknown> = {}
    for (let i = 0; i < fields; i++) {
      const value = i === attrsAt ? entryAttrs : slots[i]
      if (value === undefined) continue
      // A value with a string `_` is that string (a list has none; attributes may).
      const text = (value as Node)._
      item[tws[i] as string] = typeof text === 'string' ? text : value
    }
    const read: Node = {}
    for (let k = 0; k < checked.length; k++) {
      const list = slots[checked[k] as number]
      if (list !== undefined) read[dialect.checked[k] as string] = list
    }
    dialect.check(read)
    return item
  }

  const events: XmlEvents = {
    open: (raw, attrs) => {
      const name = tagName(raw)
      if (inEntry) {
        if (fieldName === undefined) {
          fieldName = name
          fieldAt = index.get(name) ?? -1
          fieldRaw = raw
          fieldRawAttrs = attrs
          fieldText = ''
          fieldCdata = false
          inner = 0
          return
        }
        inner++
        if (sub === undefined && fieldAt >= 0) {
          // A read field with child elements: built by the tree's builder from its start.
          subBuilder ??= treeBuilder(options, dialect.path)
          sub = subBuilder
          sub.reset()
          sub.open(fieldRaw, fieldRawAttrs)
          if (fieldText !== '') {
            if (fieldCdata) sub.cdata(fieldText)
            else sub.text(fieldText)
          }
        }
        sub?.open(raw, attrs)
        return
      }
      if (depth === 0) {
        if (name !== dialect.root) throw GIVE_UP
        if (dialect.container === undefined) inHolder = true
      } else if (dialect.container !== undefined && depth === 1) {
        if (name === dialect.entry) throw GIVE_UP
        if (name === dialect.container) {
          if (++containers > 1) throw GIVE_UP
          inHolder = true
        }
      } else if (inHolder && depth === (dialect.container === undefined ? 1 : 2)) {
        if (name === dialect.entry) {
          entryRaw ??= raw
          inEntry = true
          entryAttrs = attrsOf(attrs)
          slots = new Array(fields)
          return
        }
      }
      depth++
      b.open(raw, attrs)
    },
    close: () => {
      if (inEntry) {
        if (inner > 0) {
          inner--
          sub?.close()
        } else if (fieldName !== undefined) {
          const name = fieldName
          fieldName = undefined
          if (sub !== undefined) {
            sub.close()
            pushField(fieldAt, (sub.outcome() as Node)[name])
            sub = undefined
          } else if (fieldAt >= 0) endPlainField(fieldAt)
        } else {
          inEntry = false
          items.push(endEntry())
        }
        return
      }
      depth--
      if (inHolder && depth === (dialect.container === undefined ? 0 : 1)) {
        inHolder = false
        // One empty entry stands in the tree for those read here, so that the holder's node has
        // the keys it has in the whole tree (else one of entries alone would be blank text).
        if (entryRaw !== undefined) {
          b.open(entryRaw, {})
          b.close()
        }
      }
      b.close()
    },
    text: (t) => {
      if (!inEntry) b.text(t)
      else if (sub !== undefined) sub.text(t)
      else if (fieldName !== undefined && inner === 0) fieldText += t
    },
    cdata: (t) => {
      if (!inEntry) b.cdata(t)
      else if (sub !== undefined) sub.cdata(t)
      else if (fieldName !== undefined && inner === 0) {
        fieldText += t
        fieldCdata = true
      }
    },
    settled: b.settled,
  }
  try {
    if (!scanPlainXml(xml, events)) return undefined
    const out = feedOfTree(b.outcome(), feedFields, itemFields)
    out.items = items
    return out
  } catch {
    return undefined
  }
}
