/** `${VAR}` and `${VAR:-default}` in YAML values, replaced from the environment; `$${` is a literal `${`. */
import type { Document, Node as YamlNode } from 'yaml'
import { isMap, isPair, isScalar, isSeq } from 'yaml'
import type { ConfigPath, Problem } from './locate.js'

type Env = Record<string, string | undefined>

interface Token {
  /** Index of the `$` in the string. */
  index: number
  /** Characters the token spans. */
  length: number
  kind: 'escape' | 'ref' | 'bad'
  name?: string
  fallback?: string
}

const REF_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/

/** Finds `$${`, `${NAME}`, `${NAME:-default}` and malformed `${…` in a string, left to right. */
const scan = (s: string): Token[] => {
  const tokens: Token[] = []
  let i = s.indexOf('$')
  while (i !== -1) {
    if (s.startsWith('$${', i)) {
      tokens.push({ index: i, length: 3, kind: 'escape' })
      i = s.indexOf('$', i + 3)
      continue
    }
    if (s.startsWith('${', i)) {
      const end = s.indexOf('}', i + 2)
      const body = end === -1 ? undefined : REF_BODY.exec(s.slice(i + 2, end))
      if (end === -1 || !body) {
        tokens.push({ index: i, length: end === -1 ? s.length - i : end + 1 - i, kind: 'bad' })
      } else {
        const [, name, fallback] = body
        tokens.push({ index: i, length: end + 1 - i, kind: 'ref', name, fallback })
      }
      i = s.indexOf('$', i + (tokens.at(-1)?.length ?? 1))
      continue
    }
    i = s.indexOf('$', i + 1)
  }
  return tokens
}

/**
 * A plain YAML scalar that is exactly one `${VAR}` takes the type its value would have had if
 * written directly (`port: ${PORT:-8080}` is a number), but only when nothing is lost: a token
 * `0123` stays text.
 */
const resolvePlain = (s: string): string | number | boolean | null => {
  if (s === '' || s === '~' || s === 'null') return null
  if (s === 'true' || s === 'false') return s === 'true'
  const n = Number(s)
  return s.trim() === s && String(n) === s && Number.isFinite(n) ? n : s
}

const unsetMessage = (name: string) =>
  `environment variable ${name} is not set and has no default (write \${${name}:-…} to give one)`

const BAD_MESSAGE = `"\${" starts an environment variable but is not followed by a name and "}": write \${NAME} or \${NAME:-default}, or $\${ for a literal "\${"`

/** Replaces the references in one string; problems carry the offset of their `${` in `source`. */
const expand = (
  value: string,
  source: string,
  sourceStart: number,
  path: ConfigPath,
  env: Env,
  problems: Problem[],
): string => {
  const tokens = scan(value)
  if (tokens.length === 0) return value
  // The n-th `${` of the value is the n-th one of the source text (quotes and folding aside).
  const sourceTokens = scan(source).filter((t) => t.kind !== 'escape')
  let refIndex = 0
  let out = ''
  let last = 0
  for (const t of tokens) {
    out += value.slice(last, t.index)
    last = t.index + t.length
    if (t.kind === 'escape') {
      out += '${'
      continue
    }
    const offset = sourceStart + (sourceTokens[refIndex++]?.index ?? 0)
    if (t.kind === 'bad' || t.name === undefined) {
      problems.push({ path, offset, message: BAD_MESSAGE })
      continue
    }
    const set = env[t.name]
    if (t.fallback !== undefined) out += set === undefined || set === '' ? t.fallback : set
    else if (set !== undefined) out += set
    else problems.push({ path, offset, message: unsetMessage(t.name) })
  }
  return out + value.slice(last)
}

/**
 * Replaces environment references in every scalar value of the document, in place (keys and
 * comments are left alone, so a commented-out `${VAR}` never fails). Returns the problems: an
 * unset variable without a default, or a malformed `${`.
 * Doing this on the parsed document rather than the raw text means a value such as `a: b #c` or
 * a multi-line secret can never change the YAML's structure, and positions stay those of the file.
 * @example interpolateDocument(parseDocument('url: ${DB:-x}'), text, { DB: 'postgres://…' })
 */
export const interpolateDocument = (doc: Document, text: string, env: Env): Problem[] => {
  const problems: Problem[] = []
  const walk = (node: YamlNode | null | undefined, path: ConfigPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        walk(pair.value as YamlNode | null, [...path, key])
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item as YamlNode | null, [...path, i])
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const [start = 0, end = start] = node.range ?? []
      const whole = node.value.trim()
      const before = problems.length
      const value = expand(node.value, text.slice(start, end), start, path, env, problems)
      const tokens = scan(whole)
      const single =
        tokens.length === 1 && tokens[0]?.kind === 'ref' && tokens[0].length === whole.length
      node.value =
        node.type === 'PLAIN' && single && problems.length === before ? resolvePlain(value) : value
    }
  }
  walk(doc.contents as YamlNode | null, [])
  return problems
}
