/** Parses one written term: `word`, `"a phrase"`, `Afghan*`, `title:term`, `/regex/flags`. */
import { createRequire } from 'node:module'
import type { RE2JS } from 're2js'
import type { MatchField } from '../model/types.js'
import { MATCH_FIELDS } from '../model/types.js'
import { dict } from '../util/dict.js'
import { tokenize } from './text.js'

/** A compiled regular expression (re2js: linear time); `key` dedupes equal ones. */
export interface RegexSpec {
  key: string
  re: RE2JS
}

/** A term understood; `field` set when the term is scoped (`title:Chaman`). */
export type ParsedTerm =
  | { kind: 'phrase'; field?: MatchField; tokens: string[]; prefix: boolean }
  | { kind: 'regex'; field?: MatchField; regex: RegexSpec }

const FIELD_LIST = 'title, summary, content or categories'

/**
 * re2js, loaded by the first regular expression a rule writes, not with the rule compiler: most
 * configurations have none, and loading it was ~12 ms of CPU of every command that compiles rules
 * (`fetch --once`'s second run of 1,000 feeds answering 304 takes ~1 s). Its CommonJS build,
 * required synchronously: the same classes as its ES module, which nothing else here loads.
 */
let loaded:
  | (Pick<typeof import('re2js'), 'RE2JS' | 'RE2JSSyntaxException'> & {
      /** The flags a pattern may carry, as re2js' bits (`u`: re2js is always Unicode-aware). */
      FLAG_BITS: Readonly<Record<string, number>>
    })
  | undefined
const re2js = (): NonNullable<typeof loaded> => {
  if (loaded) return loaded
  const { RE2JS, RE2JSSyntaxException } = createRequire(import.meta.url)(
    're2js',
  ) as typeof import('re2js')
  const FLAG_BITS = dict({ i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0 })
  loaded = { RE2JS, RE2JSSyntaxException, FLAG_BITS }
  return loaded
}

const parseRegex = (s: string): ParsedTerm | string => {
  const m = /^\/(.*)\/([^/]*)$/s.exec(s)
  if (!m) return `the regular expression ${s} has no closing slash (write /pattern/ or /pattern/i)`
  const [, source = '', flags = ''] = m
  if (source === '') return `the regular expression ${s} is empty`
  const { RE2JS, RE2JSSyntaxException, FLAG_BITS } = re2js()
  let bits = 0
  for (const f of flags) {
    const bit = FLAG_BITS[f]
    if (bit === undefined)
      return `the regular expression ${s} uses the flag "${f}", which is not supported (use i, m, s or u)`
    bits |= bit
  }
  try {
    const re = RE2JS.compile(source, bits)
    const key = `/${source}/${[...new Set(flags.replaceAll('u', ''))].sort().join('')}`
    return { kind: 'regex', regex: { key, re } }
  } catch (e) {
    const why = e instanceof RE2JSSyntaxException ? e.getDescription() : String(e)
    return `the regular expression ${s} is not valid: ${why}`
  }
}

const parsePhrase = (s: string): ParsedTerm | string => {
  const prefix = s.endsWith('*')
  const body = prefix ? s.slice(0, -1) : s
  if (body.includes('*'))
    return `a * is only allowed at the end of a term, as in Afghan* (in "${s}")`
  if (prefix && !/[\p{L}\p{M}\p{N}]$/u.test(body))
    return `put the * right after the letters it extends, as in Afghan* (in "${s}")`
  const tokens = tokenize(body)
  if (tokens.length === 0) return `the term "${s}" has no letters or digits to match`
  return { kind: 'phrase', tokens, prefix }
}

const parseBody = (s: string): ParsedTerm | string =>
  s.startsWith('/') ? parseRegex(s) : parsePhrase(s)

/**
 * Parses a term as written in the YAML; returns the error sentence when it is not valid.
 *
 * Field scopes: `name:rest` is a scope when `name` is a field name in any case (`title:Chaman`,
 * `Title: Chaman`). A lowercase word glued to a colon and a term (`headline:Taliban`) is taken as
 * a misspelt field and rejected. Anything else with a colon is an ordinary phrase, whose colon
 * separates words like any punctuation (`TTP: attack`, `re: Kabul`, URLs with `://`).
 * Terms: `/pattern/flags` is a regular expression (flags i, m, s, u); a trailing `*` makes the
 * last word a prefix (`Afghan*` matches Afghans, Afghanistan); anything else is a word or phrase.
 */
export const parseTerm = (raw: string): ParsedTerm | string => {
  const s = raw.trim()
  if (s === '') return 'an empty term matches nothing; write a word or phrase'
  const scope = /^([A-Za-z]+):(.*)$/s.exec(s)
  if (scope) {
    const [, name = '', rest = ''] = scope
    const field = MATCH_FIELDS.find((f) => f === name.toLowerCase())
    if (field) {
      if (rest.trim() === '') return `"${s}" names the field ${field} but no term after the colon`
      const parsed = parseBody(rest.trim())
      return typeof parsed === 'string' ? parsed : { ...parsed, field }
    }
    if (/^[a-z]+$/.test(name) && /^\S/.test(rest) && !rest.startsWith('//'))
      return `unknown field "${name}" in "${s}" (use ${FIELD_LIST})`
  }
  return parseBody(s)
}
