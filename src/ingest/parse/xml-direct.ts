/** RSS 2.0 items read straight from the XML scanner's events, without their xml2js tree. */
import { feedOfTree } from './feed-of-tree.js'
import { scanPlainXml, type XmlEvents } from './xml-scan.js'
import { treeBuilder, type XmlTreeOptions } from './xml-tree.js'

type Node = Record<string, unknown>

/** An object without a prototype, as xml-tree.ts makes its nodes. */
const node = (): Node => Object.create(null) as Node

/** Thrown from an event to stop reading: the document is not of the form read here. */
const GIVE_UP: unique symbol = Symbol('give up')

/** Whitespace only, as xml-tree.ts tests an element's text (`\s`: Unicode spaces included). */
const BLANK = /^\s*$/

/** `tw:<name>` of each name of a list of fields, by the list (made once per list). */
const twLists = new WeakMap<readonly string[], readonly string[]>()
const twNamesOf = (names: readonly string[]): readonly string[] => {
  let tws = twLists.get(names)
  if (tws === undefined) {
    tws = names.map((n) => `tw:${n}`)
    twLists.set(names, tws)
  }
  return tws
}

/** The names of a list of fields as a set, by the list. */
const fieldSets = new WeakMap<readonly string[], ReadonlySet<string>>()
const fieldSetOf = (names: readonly string[]): ReadonlySet<string> => {
  let set = fieldSets.get(names)
  if (set === undefined) {
    set = new Set(names)
    fieldSets.set(names, set)
  }
  return set
}

const run = (processors: readonly ((name: string) => string)[], name: string): string => {
  let out = name
  for (const p of processors) out = p(out)
  return out
}

/**
 * What `feedOfTree(readXmlTree(xml, options), feedFields, itemFields)` gives for an RSS 2.0
 * document (xml-shape.ts's strict options, its `defuse` validator), with the items of the first
 * `<channel>` read from xml-scan.ts's events as they come, not built as xml2js's tree, validated
 * and copied field by field: each item's fields are the lists of values its child elements make
 * (text, or `$` and `_` with attributes), exactly as the tree would hold them. Everything else of
 * the document (the root, the channel's own elements) goes to xml-tree.ts's builder as before.
 *
 * Undefined — and the caller reads the document through the tree, which is always right — for
 * anything outside that plain form: a document the scan leaves to sax, a root other than `rss`,
 * several channels or items outside one, a field that is read and holds child elements (xhtml,
 * `media:group`, an author with a name inside), an element or item attribute named `_`, a
 * description rss-parser would serialise, a channel of items alone, or any error (which the tree's
 * reading then reports as it always did). tests/ingest/parse/xml-direct.test.ts holds the two equal
 * on the corpus and on generated documents.
 * @example readRssDirect(xml, xml2jsOptions(xml, 'rss', false), FEED_FIELDS, ITEM_FIELDS)?.items
 */
export const readRssDirect = (
  xml: string,
  options: XmlTreeOptions,
  feedFields: readonly string[],
  itemFields: readonly string[],
): Record<string, unknown> | undefined => {
  if (!options.strict || xml.charCodeAt(0) === 0xfeff) return undefined
  const b = treeBuilder(options)
  const { tagNameProcessors, attrNameProcessors } = options
  const wanted = fieldSetOf(itemFields)
  const tws = twNamesOf(itemFields)
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

  const items: Node[] = []
  /** Open elements outside items (the root is 1). */
  let depth = 0
  let channels = 0
  let inChannel = false
  /** The first channel's own attributes and child elements other than items. */
  let channelHeld = false
  /** The item being read: its attributes and its fields' values, by name. */
  let inItem = false
  let itemAttrs: Node | undefined
  let fields: Node = node()
  /** The item's child element being read (its name, attributes, text), when one is open. */
  let fieldName: string | undefined
  let fieldAttrs: Node | undefined
  let fieldText = ''
  let fieldCdata = false
  /** Elements open inside the field (in a field not read, which is then skipped whole). */
  let inner = 0

  const endItem = (): void => {
    const raw: Node = {}
    for (let i = 0; i < itemFields.length; i++) {
      const name = itemFields[i] as string
      const value = name === '$' ? itemAttrs : fields[name]
      if (value === undefined) continue
      // As feed-of-tree.ts copyFields copies it: a value with a string `_` would be that string,
      // but a list has none, and attributes named `_` were given up above.
      raw[tws[i] as string] = value
    }
    // rss-parser serialised a description that is neither text nor text with attributes.
    const description = (fields.description as unknown[] | undefined)?.[0]
    if (typeof description === 'object' && typeof (description as Node)._ !== 'string')
      throw GIVE_UP
    items.push(raw)
  }

  const endField = (): void => {
    const name = fieldName as string
    fieldName = undefined
    if (!wanted.has(name)) return
    // xml-tree.ts's close of an element without children: blank text (not CDATA) is dropped,
    // then the value is the text alone, or the node with its `$` (and `_`).
    let value: unknown
    if (!fieldCdata && BLANK.test(fieldText)) {
      if (fieldAttrs === undefined) value = fieldText
      else {
        value = node()
        ;(value as Node).$ = fieldAttrs
      }
    } else if (fieldAttrs === undefined) value = fieldText
    else {
      value = node()
      ;(value as Node)._ = fieldText
      ;(value as Node).$ = fieldAttrs
    }
    // defuse (xml-shape.ts) leaves the children of an RSS item as they are.
    const list = fields[name] as unknown[] | undefined
    if (list === undefined) fields[name] = [value]
    else list.push(value)
  }

  const events: XmlEvents = {
    open: (raw, attrs) => {
      const name = tagName(raw)
      if (inItem) {
        if (fieldName === undefined) {
          fieldName = name
          fieldAttrs = attrsOf(attrs)
          fieldText = ''
          fieldCdata = false
          inner = 0
        } else {
          // A field with child elements: read through the tree if it is one we read.
          if (wanted.has(fieldName)) throw GIVE_UP
          inner++
        }
        return
      }
      depth++
      if (depth === 1) {
        if (name !== 'rss') throw GIVE_UP
      } else if (depth === 2) {
        if (name === 'item') throw GIVE_UP
        if (name === 'channel') {
          if (++channels > 1) throw GIVE_UP
          inChannel = true
          for (const key in attrs) if (Object.hasOwn(attrs, key)) channelHeld = true
        }
      } else if (depth === 3 && inChannel) {
        if (name === 'item') {
          depth--
          inItem = true
          itemAttrs = attrsOf(attrs)
          if (itemAttrs !== undefined && '_' in itemAttrs) throw GIVE_UP
          fields = node()
          return
        }
        channelHeld = true
      }
      b.open(raw, attrs)
    },
    close: () => {
      if (inItem) {
        if (inner > 0) inner--
        else if (fieldName !== undefined) endField()
        else {
          inItem = false
          endItem()
        }
        return
      }
      if (depth === 2) inChannel = false
      depth--
      b.close()
    },
    text: (t) => {
      if (inItem) {
        if (fieldName !== undefined && inner === 0) fieldText += t
      } else b.text(t)
    },
    cdata: (t) => {
      if (inItem) {
        if (fieldName !== undefined && inner === 0) {
          fieldText += t
          fieldCdata = true
        }
      } else b.cdata(t)
    },
    settled: b.settled,
  }
  try {
    if (!scanPlainXml(xml, events)) return undefined
    // A channel of items alone would be blank text to the tree without them.
    if (!channelHeld) return undefined
    const out = feedOfTree(b.outcome(), feedFields, itemFields)
    out.items = items
    return out
  } catch {
    return undefined
  }
}
