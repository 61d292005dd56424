/** Where a configuration problem is: YAML paths → nodes → file:line:col, and the sentences that say it. */
import type { Document, LineCounter, Node as YamlNode } from 'yaml'
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { ConfigIssue } from '../model/errors.js'
import { suggestKey } from './plain-checks.js'

/** A path into the YAML document: map keys and list indexes, e.g. `['sources', 0, 'url']`. */
export type ConfigPath = ReadonlyArray<string | number>

/** A problem before it has a line and column. */
export interface Problem {
  path: ConfigPath
  message: string
  /** `key` points at the key of the last path segment (unknown keys); default: its value. */
  at?: 'key' | 'value'
  /** Exact character offset in the text, when known better than the node (e.g. a `${`). */
  offset?: number
}

/**
 * Formats a path the way the messages write it.
 * @example formatPath(['sources', 0, 'url']) // 'sources[0].url'
 */
export const formatPath = (path: ConfigPath): string =>
  path.reduce<string>(
    (out, seg) =>
      typeof seg === 'number' ? `${out}[${seg}]` : out === '' ? String(seg) : `${out}.${seg}`,
    '',
  )

/** `"limit"` for `feeds[0].limit`, `"tags[1]"` for `sources[0].tags[1]`: the name a person sees. */
export const fieldLabel = (path: ConfigPath): string => {
  let i = path.length - 1
  while (i > 0 && typeof path[i] === 'number') i--
  return i < 0 ? 'the file' : `"${formatPath(path.slice(i))}"`
}

/** `in sources[0]`, or `at the top level` for the document itself. */
export const wherePhrase = (path: ConfigPath): string =>
  path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`

/** A short, human rendering of a YAML value for "got …". */
export const describeValue = (v: unknown): string => {
  if (v === undefined || v === null) return 'nothing'
  if (typeof v === 'string') {
    const s = v.length > 60 ? `${v.slice(0, 57)}...` : v
    return JSON.stringify(s)
  }
  if (Array.isArray(v)) {
    const scalars = v.every((x) => x === null || typeof x !== 'object')
    const flow = `[${v.map((x) => (typeof x === 'string' ? x : String(x))).join(', ')}]`
    return scalars && flow.length <= 60 ? flow : 'a list'
  }
  if (typeof v === 'object') return 'a map'
  return String(v)
}

/**
 * Fills the placeholders of a schema message: `{field}` (the key, e.g. `"limit"`), `{got}` (the
 * offending value) and `{where}` (`in sources[0]`: the map that holds the key).
 * @example fillMessage('{field} must be true or false, got {got}', ['fetch', 'x'], 3)
 */
export const fillMessage = (template: string, path: ConfigPath, input: unknown): string =>
  template.replace(/\{(field|got|where)\}/g, (_, name: string) =>
    name === 'field'
      ? fieldLabel(path)
      : name === 'where'
        ? wherePhrase(path.slice(0, -1))
        : describeValue(input),
  )

/** `unknown key "evry" in sources[0] (did you mean "every"?)`; `where` as {@link wherePhrase} says it. */
export const unknownKeyMessage = (
  key: string,
  where: string,
  allowed: readonly string[],
): string => {
  const hint = suggestKey(key, allowed)
  const tail = hint
    ? ` (did you mean "${hint}"?)`
    : allowed.length > 0
      ? ` (allowed: ${allowed.join(', ')})`
      : ''
  return `unknown key "${key}" ${where}${tail}`
}

/** The node at `path`, or the deepest existing ancestor when part of the path is absent. */
export const findNode = (
  doc: Document,
  path: ConfigPath,
  at: 'key' | 'value' = 'value',
): YamlNode | undefined => {
  let node: unknown = doc.contents
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc)
    let next: unknown
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
      )
      if (!pair) break
      const last = i === path.length - 1
      const value = pair.value
      const emptyValue =
        value === null || (isScalar(value) && value.value === null && !value.source?.length)
      next = (last && at === 'key') || emptyValue ? pair.key : value
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg]
    }
    if (next === undefined || next === null) break
    node = next
  }
  return node as YamlNode | undefined
}

/** Whether the document has a key at `path` (even one with an empty value). */
export const hasKey = (doc: Document, path: ConfigPath): boolean => {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents
  const key = path[path.length - 1]
  return isMap(parent) && key !== undefined && parent.has(key)
}

/** Gives a problem its file, line and column. */
export const locateProblem = (
  doc: Document,
  lines: LineCounter,
  file: string,
  p: Problem,
): ConfigIssue => {
  const offset = p.offset ?? findNode(doc, p.path, p.at)?.range?.[0] ?? 0
  const pos = lines.linePos(offset)
  return {
    file,
    line: Math.max(1, pos.line),
    column: Math.max(1, pos.col),
    path: formatPath(p.path),
    message: p.message,
  }
}

/** Orders issues as they appear in the file (stable for issues on the same spot). */
export const sortIssues = (issues: ConfigIssue[]): ConfigIssue[] =>
  issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i)
    .map(({ issue }) => issue)
