/** Reads a topic's `match:` tree from YAML into a MatchNode, with one problem per mistake found. */
import type { GroupNode, MatchField, MatchNode } from '../model/types.js'
import { MATCH_FIELDS } from '../model/types.js'
import { type ConfigPath, describeValue, type Problem, unknownKeyMessage } from './locate.js'

/** Words apart that `{ near }` allows when `within` is not given. */
const DEFAULT_NEAR_WITHIN = 12
/** Weight of a `{ term }` written without `weight`. */
const DEFAULT_TERM_WEIGHT = 1

const GROUP_KEYS = ['any', 'all', 'none', 'in', 'scope'] as const
const TERM_KEYS = ['term', 'weight'] as const
const NEAR_KEYS = ['near', 'within'] as const
const SOURCE_KEYS = ['source'] as const
const LIST_KEYS = ['any', 'all', 'none'] as const

// Messages keep `{field}` and `{where}` placeholders: only the caller knows the absolute path.
const NODE_MESSAGE =
  '{field} must be a word or phrase, or a map with any/all/none, term/weight, near/within or source; got '

type YamlMap = Record<string, unknown>
const isMap = (v: unknown): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v)

const checkKeys = (
  map: YamlMap,
  allowed: readonly string[],
  path: ConfigPath,
  problems: Problem[],
  suggest: readonly string[] = allowed,
): boolean => {
  let ok = true
  for (const key of Object.keys(map)) {
    if (allowed.includes(key)) continue
    ok = false
    problems.push({
      path: [...path, key],
      at: 'key',
      message: unknownKeyMessage(key, '{where}', suggest),
    })
  }
  return ok
}

const readTerm = (v: unknown, path: ConfigPath, problems: Problem[]): string | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  if (typeof v !== 'string') {
    problems.push({ path, message: `{field} must be a word or phrase, got ${describeValue(v)}` })
    return undefined
  }
  if (v.trim() === '') {
    problems.push({ path, message: '{field} is empty; write a word or phrase' })
    return undefined
  }
  return v.trim()
}

const readWeighted = (
  map: YamlMap,
  path: ConfigPath,
  problems: Problem[],
): MatchNode | undefined => {
  const keysOk = checkKeys(map, TERM_KEYS, path, problems)
  const term = readTerm(map.term, [...path, 'term'], problems)
  const weight = map.weight ?? DEFAULT_TERM_WEIGHT
  if (typeof weight !== 'number' || !Number.isFinite(weight)) {
    problems.push({
      path: [...path, 'weight'],
      message: `{field} must be a number, got ${describeValue(weight)}`,
    })
    return undefined
  }
  return keysOk && term !== undefined ? { term, weight } : undefined
}

const readNear = (map: YamlMap, path: ConfigPath, problems: Problem[]): MatchNode | undefined => {
  const keysOk = checkKeys(map, NEAR_KEYS, path, problems)
  const within: unknown = map.within ?? DEFAULT_NEAR_WITHIN
  let ok = keysOk
  if (typeof within !== 'number' || !Number.isInteger(within) || within < 1) {
    problems.push({
      path: [...path, 'within'],
      message: `{field} must be a whole number of words of at least 1, got ${describeValue(within)}`,
    })
    ok = false
  }
  if (!Array.isArray(map.near) || map.near.length < 2) {
    problems.push({
      path: [...path, 'near'],
      message: `{field} must be a list of at least two words or phrases, such as [Torkham, trade]; got ${describeValue(map.near)}`,
    })
    return undefined
  }
  const near = map.near.map((t, i) => readTerm(t, [...path, 'near', i], problems))
  const terms = near.filter((t): t is string => t !== undefined)
  if (!ok || terms.length !== near.length || typeof within !== 'number') return undefined
  return { near: terms, within }
}

const readSource = (map: YamlMap, path: ConfigPath, problems: Problem[]): MatchNode | undefined => {
  const keysOk = checkKeys(map, SOURCE_KEYS, path, problems)
  const v: unknown = typeof map.source === 'string' ? [map.source] : map.source
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    !v.every((t) => typeof t === 'string' && /^[a-z0-9-]+$/.test(t))
  ) {
    problems.push({
      path: [...path, 'source'],
      message: `{field} must be a source tag or a list of them (lowercase letters, digits and -), such as [pakistan]; got ${describeValue(map.source)}`,
    })
    return undefined
  }
  return keysOk ? { source: v as string[] } : undefined
}

const readFields = (
  v: unknown,
  path: ConfigPath,
  problems: Problem[],
): MatchField[] | undefined => {
  const valid = (f: unknown): f is MatchField => MATCH_FIELDS.includes(f as MatchField)
  if (!Array.isArray(v) || v.length === 0 || !v.every(valid)) {
    problems.push({
      path,
      message: `{field} must be a list of fields out of ${MATCH_FIELDS.join(', ')}; got ${describeValue(v)}`,
    })
    return undefined
  }
  return v
}

const readGroup = (map: YamlMap, path: ConfigPath, problems: Problem[]): MatchNode | undefined => {
  const suggest = [...GROUP_KEYS, ...TERM_KEYS, ...NEAR_KEYS, ...SOURCE_KEYS]
  let ok = checkKeys(map, GROUP_KEYS, path, problems, suggest)
  const group: GroupNode = {}
  for (const key of LIST_KEYS) {
    const v = map[key]
    if (v === undefined) continue
    if (!Array.isArray(v)) {
      problems.push({
        path: [...path, key],
        message: `{field} must be a list of rules, such as [Torkham, "Durand Line"]; got ${describeValue(v)}`,
      })
      ok = false
      continue
    }
    const nodes = v.map((child, i) => readMatchNode(child, [...path, key, i], problems))
    if (nodes.some((n) => n === undefined)) ok = false
    // An empty list would make `any` impossible to satisfy; it means "nothing here", so drop it.
    else if (nodes.length > 0) group[key] = nodes as MatchNode[]
  }
  if (map.in !== undefined) {
    const fields = readFields(map.in, [...path, 'in'], problems)
    if (fields) group.in = fields
    else ok = false
  }
  if (map.scope !== undefined) {
    if (map.scope === 'clause') group.scope = 'clause'
    else {
      problems.push({
        path: [...path, 'scope'],
        message: `{field} can only be "clause" (the group must hold within one clause); got ${describeValue(map.scope)}`,
      })
      ok = false
    }
  }
  if (ok && !group.any && !group.all && !group.none) {
    problems.push({ path, message: '{field} needs at least one rule under any:, all: or none:' })
    return undefined
  }
  return ok ? group : undefined
}

/**
 * Validates one rule node and returns it with defaults filled in (`within: 12`, `weight: 1`), or
 * undefined after pushing problems. Problem paths are relative to `path`'s root (the `match` key).
 * @example readMatchNode({ any: ['Torkham', { near: ['Chaman', 'trade'] }] }, [], problems)
 */
export const readMatchNode = (
  v: unknown,
  path: ConfigPath,
  problems: Problem[],
): MatchNode | undefined => {
  if (typeof v === 'string' || typeof v === 'number') return readTerm(v, path, problems)
  if (!isMap(v)) {
    const hint = Array.isArray(v) ? '; put the list under any:, all: or none:' : ''
    problems.push({ path, message: `${NODE_MESSAGE}${describeValue(v)}${hint}` })
    return undefined
  }
  const known = readNodes.get(v)
  if (known !== undefined) return known
  const before = problems.length
  const node =
    'term' in v
      ? readWeighted(v, path, problems)
      : 'near' in v
        ? readNear(v, path, problems)
        : 'source' in v
          ? readSource(v, path, problems)
          : readGroup(v, path, problems)
  // A node read without a problem reads the same wherever it sits; one with problems is read
  // again at every place, so that each place gets its own paths.
  if (node !== undefined && problems.length === before) readNodes.set(v, freeze(node))
  return node
}

/** A node and its lists made read-only (their children are frozen when they are read). */
const freeze = (node: MatchNode): MatchNode => {
  if (typeof node === 'object') for (const list of Object.values(node)) Object.freeze(list)
  return Object.freeze(node)
}

/**
 * Rule nodes read without a problem, by the YAML data they were read from. An anchor's every alias
 * is the same object in yaml's data (and in load.ts's copy of it), so a rule list that narrower
 * topics reuse is read once and its result shared: frozen, as every topic now holds it. Weak: the
 * entries go with the parsed file's data.
 */
const readNodes = new WeakMap<object, MatchNode>()
