/** XML text → the element tree xml2js builds (explicit arrays, `$` attributes, `_` text), read from sax events. */
import { createRequire } from 'node:module'
import { scanPlainXml } from './xml-scan.js'

/** What a processor or validator sees, as in xml2js's options (see xml-shape.ts). */
export interface XmlTreeOptions {
  strict: boolean
  validator: (xpath: string, current: unknown, value: unknown) => unknown
  tagNameProcessors: ((name: string) => string)[]
  attrNameProcessors: ((name: string) => string)[]
}

/** The parts of a sax parser we drive (sax ships no types). */
interface SaxParser {
  onopentag: (node: { name: string; attributes: Record<string, string> }) => void
  onclosetag: () => void
  ontext: (text: string) => void
  oncdata: (text: string) => void
  onerror: (err: Error) => void
  onend: () => void
  write: (text: string) => SaxParser
  close: () => SaxParser
  resume: () => SaxParser
}

/**
 * sax as rss-parser's xml2js loads it (rss-parser → xml2js → sax): the same tokenizer, so the same
 * documents are accepted and rejected with the same messages as when rss-parser read them.
 */
const sax = (() => {
  const require = createRequire(import.meta.url)
  const viaRssParser = createRequire(require.resolve('rss-parser'))
  const viaXml2js = createRequire(viaRssParser.resolve('xml2js'))
  return viaXml2js('sax') as {
    parser: (strict: boolean, opt: { trim: boolean; normalize: boolean }) => SaxParser
  }
})()

type Node = Record<string, unknown>

/** xml2js's key of an element's text. */
const charkey = '_'

const run = (processors: readonly ((name: string) => string)[], name: string): string => {
  let out = name
  for (const p of processors) out = p(out)
  return out
}

/** `key in obj`, then an array of values: xml2js's assignOrPush with `explicitArray`. */
const assignOrPush = (obj: Node, key: string, value: unknown): void => {
  if (!(key in obj)) obj[key] = [value]
  else {
    const old = obj[key]
    if (Array.isArray(old)) old.push(value)
    else obj[key] = [old, value]
  }
}

/** Whether `key` is the object's one key (xml2js: `Object.keys(obj).length === 1 && key in obj`). */
const onlyKey = (obj: Node, key: string): boolean => {
  let n = 0
  for (const k in obj) if (++n > 1 || k !== key) return false
  return n === 1
}

const isEmptyObject = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && Object.keys(v).length === 0

/** An object without a prototype, as xml2js makes its nodes (a child named `constructor` is plain data). */
const node = (): Node => Object.create(null) as Node

/** Receives a document's events and builds xml2js's tree; the first outcome (root closed, error) stands. */
export interface TreeBuilder {
  open: (name: string, attrs: Record<string, string>) => void
  close: () => void
  text: (t: string) => void
  cdata: (t: string) => void
  fail: (err: unknown) => void
  /** The end of the document: a root never closed gives `null`. */
  end: () => void
  /** Whether the root closed or an error came: nothing after it changes the outcome. */
  settled: () => boolean
  /** The tree, or throws the first error. */
  outcome: () => Node | null
  /** Forgets the document (not the names and paths made), for another one read alike. */
  reset: () => void
}

/**
 * The builder of xml2js's tree from a document's events. `basePath` is the xpath of the element
 * the events' root stands in (xml-direct.ts builds an entry's fields with child elements alone,
 * under `/feed/entry`), so that the validator sees the paths it would see in the whole document.
 */
export const treeBuilder = (options: XmlTreeOptions, basePath = ''): TreeBuilder => {
  const { validator, tagNameProcessors, attrNameProcessors } = options
  const stack: Node[] = []
  /**
   * Per open element, how many children it holds: with its `$` and `_`, all the keys it can have
   * at its end (`#name` and `cdata` are gone by then), so its keys need not be listed there. A
   * node is an object without a prototype, held as a dictionary, which costs a list and a sort to
   * enumerate.
   */
  const kids: number[] = []
  /** The name of each open element, as the processors made it. */
  const names: string[] = []
  /** The xpath of each open element ('/rss', '/rss/channel'…), built once per element. */
  const paths: string[] = []
  /** Each element path made so far, by its parent's path and its name. */
  const pathsByParent = new Map<string, Map<string, string>>()
  /** Tag and attribute names as the processors make them, by the name as read (they are pure). */
  const tagNames = new Map<string, string>()
  const attrNames = new Map<string, string>()
  let settled = false
  let failure: unknown
  let result: Node | null = null
  const fail = (err: unknown): void => {
    if (settled) return
    settled = true
    failure = err
  }
  const succeed = (value: Node | null): void => {
    if (settled) return
    settled = true
    result = value
  }
  const text = (t: string): Node | undefined => {
    const top = stack[stack.length - 1]
    if (top) top[charkey] = (top[charkey] as string) + t
    return top
  }
  return {
    open: (tagName, attrs) => {
      const obj = node()
      obj[charkey] = ''
      for (const key in attrs) {
        if (!Object.hasOwn(attrs, key)) continue
        if (!('$' in obj)) obj.$ = node()
        let attrName = attrNames.get(key)
        if (attrName === undefined) {
          attrName = run(attrNameProcessors, key)
          attrNames.set(key, attrName)
        }
        ;(obj.$ as Node)[attrName] = attrs[key]
      }
      let name = tagNames.get(tagName)
      if (name === undefined) {
        name = run(tagNameProcessors, tagName)
        tagNames.set(tagName, name)
      }
      // xml2js keeps the name on the node (`#name`) until its end; no element is named so, and
      // the key is gone before anything reads the node: kept beside it here instead.
      names.push(name)
      // The same paths come for every entry: each made (and, once a validator reads it, made
      // flat) once per document, not joined again per element.
      const parentPath = paths.length === 0 ? basePath : (paths[paths.length - 1] as string)
      let byName = pathsByParent.get(parentPath)
      if (byName === undefined) {
        byName = new Map()
        pathsByParent.set(parentPath, byName)
      }
      let path = byName.get(name)
      if (path === undefined) {
        path = `${parentPath}/${name}`
        byName.set(name, path)
      }
      paths.push(path)
      stack.push(obj)
      kids.push(0)
    },
    close: () => {
      const obj = stack.pop() as Node
      const children = kids.pop() ?? 0
      const xpath = paths.pop() ?? ''
      const name = names.pop() as string
      let cdata = false
      if (obj.cdata === true) {
        cdata = true
        delete obj.cdata
      }
      const parent = stack[stack.length - 1]
      let value: unknown = obj
      let emptyStr: unknown
      // Written as xml2js writes it: a child named `_` makes the text a list, `.match` then throws,
      // and the message (which names the expression) is what a failed parse reports.
      // Without children its keys are `_` and perhaps `$` (see `kids`): `_` alone, or once `_` is
      // gone empty, without `$`. With children (a child named `cdata` may even have been
      // overwritten) they are listed.
      if ((obj[charkey] as string).match(/^\s*$/) && !cdata) {
        emptyStr = obj[charkey]
        delete obj[charkey]
        if (children === 0 ? !('$' in obj) : isEmptyObject(obj)) value = emptyStr
      } else if (children === 0 ? !('$' in obj) : onlyKey(obj, charkey)) {
        value = obj[charkey]
      }
      try {
        value = validator(xpath, parent?.[name], value)
      } catch (err) {
        fail(err)
      }
      if (parent) {
        kids[kids.length - 1] = (kids[kids.length - 1] ?? 0) + 1
        assignOrPush(parent, name, value)
      } else {
        const root = node()
        root[name] = value
        succeed(root)
      }
    },
    text: (t) => {
      text(t)
    },
    cdata: (t) => {
      const top = text(t)
      if (top) top.cdata = true
    },
    fail,
    end: () => succeed(null),
    settled: () => settled,
    outcome: () => {
      if (failure !== undefined || !settled) throw failure ?? new Error('Unable to parse XML.')
      return result
    },
    reset: () => {
      stack.length = 0
      kids.length = 0
      names.length = 0
      paths.length = 0
      settled = false
      failure = undefined
      result = null
    },
  }
}

/** The document through sax, as xml2js ran it: every error reported, parsing resumed after it. */
const viaSax = (text: string, options: XmlTreeOptions): Node | null => {
  const b = treeBuilder(options)
  const parser = sax.parser(options.strict, { trim: false, normalize: false })
  parser.onerror = (err) => {
    parser.resume()
    b.fail(err)
  }
  parser.onend = b.end
  parser.onopentag = (tag) => b.open(tag.name, tag.attributes)
  parser.onclosetag = b.close
  parser.ontext = b.text
  parser.oncdata = b.cdata
  try {
    parser.write(text).close()
  } catch (err) {
    b.fail(err)
  }
  return b.outcome()
}

/**
 * Parses XML into the tree that `new xml2js.Parser(options).parseString(xml)` (xml2js 0.5, as
 * rss-parser 3 configures it: explicit arrays and root, `$` and `_`, empty elements as their
 * whitespace) hands its callback, without xml2js: its per-element xpath arrays and event emitter
 * were a sizeable share of a feed's parse. The first of "the root closed" and "sax reported an
 * error" decides, as xml2js's callback only ever sees the first; a document without a closed root
 * gives `null`. Throws sax's error (or the validator's) otherwise.
 *
 * In strict mode the plain well-formed documents most feeds are go through xml-scan.ts, which
 * gives sax's events for them at a fraction of sax's cost (it reads text between markup with
 * `indexOf` where sax takes a character at a time); anything it is not sure sax would read without
 * a complaint goes to sax, whose errors and recoveries are then exactly those of before.
 * Nesting is handled with explicit stacks, so depth costs no recursion (parse/xml-depth.ts caps it
 * before this anyway).
 * @example readXmlTree('<rss><channel/></rss>', options) // { rss: { channel: [''] } } after the validator
 */
export const readXmlTree = (xml: string, options: XmlTreeOptions): Node | null => {
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml
  if (text.trim() === '') return null
  if (options.strict) {
    const b = treeBuilder(options)
    let plain: boolean
    try {
      plain = scanPlainXml(text, b)
    } catch (err) {
      // What the tree's builder threw, where sax (reading the same plain text so far) would have
      // thrown it too.
      b.fail(err)
      plain = true
    }
    if (plain) return b.outcome()
  }
  return viaSax(text, options)
}
