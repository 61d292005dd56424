/** The configuration pipeline: file → YAML → `${VAR}` → strict schema → AppConfig, or one ConfigError; the topic checks are the caller's. */
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  Parser,
  type YAMLError,
  YAMLParseError,
} from 'yaml'
import { ConfigError, type ConfigIssue } from '../model/errors.js'
import type { AppConfig } from '../model/types.js'
import { aliasProblem } from './alias-problem.js'
import { interpolateDocument } from './interpolate.js'
import { type ConfigPath, hasKey, locateProblem, type Problem, sortIssues } from './locate.js'
import { resolveConfig, type TopicCheck } from './resolve.js'
import { configSchema, type ParsedConfig, problemsFromIssues } from './schema.js'
import { yamlData } from './yaml-data.js'
import { MAX_YAML_DEPTH, tooDeepAt } from './yaml-depth.js'

type Env = Record<string, string | undefined>

const firstLine = (e: YAMLError): string =>
  (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '')

/** Offset of an unquoted `${` inside `[ ]` or `{ }` on the line around `offset`, where YAML reads `{` as a map. */
const flowVariableAt = (text: string, offset: number): number | undefined => {
  const start = text.lastIndexOf('\n', offset - 1) + 1
  const line = text.slice(
    start,
    text.indexOf('\n', start) === -1 ? undefined : text.indexOf('\n', start),
  )
  // What the regex /^[^"'#]*?[[{][^"'#]*?(\$\{)/ finds, in one scan (that regex is quadratic
  // on a long line of brackets): the first bracket, then the first `${` after it, both before
  // any quote or `#`.
  const quote = line.search(/["'#]/)
  const before = quote === -1 ? line : line.slice(0, quote)
  const bracket = before.search(/[[{]/)
  const variable = bracket === -1 ? -1 : before.indexOf('${', bracket + 1)
  return variable === -1 ? undefined : start + variable
}

/**
 * The key written at `offset`: quoted, or the text before its colon (what the regex
 * /^("[^"\n]*"|'[^'\n]*'|[^:\n]*?)\s*:/ reads, in one scan: that one is quadratic on a long
 * line of spaces).
 */
const duplicateKeyAt = (text: string, offset: number): string | undefined => {
  const end = text.indexOf('\n', offset)
  const line = text.slice(offset, end === -1 ? undefined : end)
  const quoted = /^("[^"]*"|'[^']*')\s*:/.exec(line)?.[1]
  if (quoted !== undefined) return quoted
  const colon = line.indexOf(':')
  return colon === -1 ? undefined : line.slice(0, colon).trimEnd()
}

const yamlProblem = (e: YAMLError, text: string): Problem => {
  const offset = e.pos[0]
  const flowVariable = flowVariableAt(text, offset)
  if (flowVariable !== undefined)
    return {
      path: [],
      offset: flowVariable,
      message: `YAML cannot read \${…} inside [ ] or { }; write the key on a line of its own (key: \${NAME}) or put the text in quotes ("\${NAME}")`,
    }
  if (e.code === 'TAB_AS_INDENT')
    return { path: [], offset, message: 'a tab is used for indentation; YAML needs spaces' }
  if (e.code === 'DUPLICATE_KEY') {
    const key = duplicateKeyAt(text, offset)
    const name = key ? `${JSON.stringify(key.replace(/^["']|["']$/g, ''))} ` : ''
    return {
      path: [],
      offset,
      message: `the key ${name}appears twice in the same map; keep only one`,
    }
  }
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const lineEnd = text.indexOf('\n', offset)
    const restOfLine = text.slice(offset, lineEnd === -1 ? undefined : lineEnd)
    if (restOfLine.includes(': '))
      return {
        path: [],
        offset,
        message: 'this value contains ": ", which YAML reads as a new key; put the value in quotes',
      }
    // `key: value` followed by a line indented deeper: point at that line.
    const next = /\n[ ]*(?=\S)/.exec(text.slice(offset))
    return {
      path: [],
      offset: next ? offset + next.index + next[0].length : offset,
      message:
        'this line is indented more than the key above it; keys of one map must start in the same column',
    }
  }
  const sentence = firstLine(e)
  return {
    path: [],
    offset,
    message: `YAML syntax error: ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`,
  }
}

/**
 * Syntax problems listed at most: a broken file can make one complaint per token (hundreds of
 * thousands on a long line), and each costs a look at its line.
 */
const MAX_SYNTAX_PROBLEMS = 20

/** YAML errors, plus aliases that point nowhere (a cron expression starting with `*`, unquoted). */
const syntaxProblems = (doc: Document, text: string): Problem[] => {
  const problems: Problem[] = []
  // Anchors seen so far in document order: what Alias.resolve finds, without its walk of the
  // whole document for every alias (a file that reuses rules has dozens). A stack, not yaml's
  // visit, which makes a frozen copy of the path for every node.
  const anchors = new Set<string>()
  const stack: unknown[] = [doc.contents]
  for (let node = stack.pop(); stack.length > 0 || node !== undefined; node = stack.pop()) {
    if (isPair(node)) stack.push(node.value, node.key)
    else if (isCollection(node))
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i])
    if ((isScalar(node) || isCollection(node)) && node.anchor) anchors.add(node.anchor)
    if (!isAlias(node) || anchors.has(node.source)) continue
    if (problems.length === MAX_SYNTAX_PROBLEMS) break
    const offset = node.range?.[0] ?? 0
    const end = text.indexOf('\n', offset)
    const rest = text
      .slice(offset, Math.min(end === -1 ? text.length : end, offset + 200))
      .replace(/\s+#.*$/, '')
      .trim()
    problems.push({
      path: [],
      offset,
      message: `"*${node.source}" is read as a reference to an anchor &${node.source} that is not defined; if it is text (such as a cron expression), put it in quotes: "${rest}"`,
    })
  }
  // Several errors at one spot are one mistake seen by several rules: keep the first.
  const seen = new Set<number>()
  for (const e of doc.errors) {
    if (seen.has(e.pos[0])) continue
    if (problems.length === MAX_SYNTAX_PROBLEMS) {
      const more = new Set(doc.errors.map((later) => later.pos[0])).size - seen.size
      problems.push({
        path: [],
        offset: e.pos[0],
        message: `${more} more YAML errors from here on are not listed; mend the ones above first`,
      })
      break
    }
    problems.push(yamlProblem(e, text))
    seen.add(e.pos[0])
  }
  return problems
}

/** Later errors on a line that already has one are echoes of it (one bad token, many complaints). */
const firstPerLine = (issues: ConfigIssue[]): ConfigIssue[] =>
  sortIssues(issues).filter((issue, i, all) => i === 0 || all[i - 1]?.line !== issue.line)

const isUnder = (path: ConfigPath, prefix: ConfigPath): boolean =>
  prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg)

/** The first document of `tokens`, a second one an error on it (as yaml's parseDocument does). */
const composeFirst = (tokens: readonly CST.Token[], length: number): Document.Parsed => {
  let doc: Document.Parsed | undefined
  for (const next of new Composer({ prettyErrors: false, uniqueKeys: true }).compose(
    tokens,
    true,
    length,
  )) {
    if (doc === undefined) doc = next
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'the file holds more than one YAML document (a second ---); a configuration is one document',
        ),
      )
      break
    }
  }
  // compose(…, true) always ends with a document, an empty one for empty text
  if (doc === undefined) throw new Error('yaml composed no document')
  return doc
}

/**
 * Reads configuration text (pure: the environment is a parameter). Every problem in the file is
 * collected and thrown together as one {@link ConfigError}, each with file, line and column.
 * `checkTopics`, when given, adds its problems to the file's own; `onValid`, when given, sees the
 * schema's output before anything completes it (ids, environment, topic checks).
 * @throws ConfigError
 * @example readConfigText('sources: []', 'inline.yaml', {}).server.port // 8080
 */
export const readConfigText = (
  text: string,
  file: string,
  env: Env = {},
  checkTopics?: TopicCheck,
  onValid?: (parsed: ParsedConfig) => void,
): AppConfig => {
  const lines = new LineCounter()
  const source = text.replace(/^\uFEFF/, '')
  const fail = (issues: ConfigIssue[]): never => {
    throw new ConfigError(issues)
  }
  // yaml's parseDocument in two steps, so that the depth is checked before the composer (which
  // recurses per level) sees the tokens
  const tokens = [...new Parser(lines.addNewLine).parse(source)]
  const deep = tooDeepAt(tokens)
  if (deep !== undefined) {
    const { line, col } = lines.linePos(deep)
    fail([
      {
        file,
        line,
        column: col,
        path: '',
        message: `maps and lists are nested deeper than ${MAX_YAML_DEPTH} levels here; a configuration needs far fewer`,
      },
    ])
  }
  const doc = composeFirst(tokens, source.length)
  const locate = (ps: Problem[]) => ps.map((p) => locateProblem(doc, lines, file, p))

  const syntax = syntaxProblems(doc, source)
  if (syntax.length > 0) fail(firstPerLine(locate(syntax)))

  const problems = interpolateDocument(doc, source, env)
  const envPaths = problems.map((p) => p.path)
  const endless = aliasProblem(doc)
  if (endless) fail(sortIssues(locate([...problems, endless])))
  let data: unknown
  try {
    // Aliases share their anchor's value: the data is the size of the file. aliasProblem has
    // bounded what readers that walk it alias by alias (zod's lists) may meet.
    data = yamlData(doc)
  } catch (e) {
    const message = `the file cannot be read as data: ${e instanceof Error ? e.message : String(e)}`
    throw new ConfigError(locate([{ path: [], message }]), { cause: e })
  }
  if (data === null || data === undefined) {
    problems.push({ path: [], message: 'the file is empty; it needs at least a "sources:" list' })
    fail(sortIssues(locate(problems)))
  }

  // jitless: zod would compile a parser for each object schema on its first use (new Function);
  // a configuration is parsed once or twice per process, so that compiling costs more than it saves.
  const result = configSchema.safeParse(data, { reportInput: true, jitless: true })
  if (result.success) {
    onValid?.(result.data)
    const resolved = resolveConfig(result.data, file, env, checkTopics)
    if (problems.length === 0 && resolved.problems.length === 0) return resolved.config
    problems.push(...resolved.problems)
  } else {
    const found = problemsFromIssues(result.error.issues, (p) => hasKey(doc, p))
    // A value whose variable is unset is already reported; do not also call it missing or wrong.
    problems.push(...found.filter((p) => !envPaths.some((e) => isUnder(p.path, e))))
  }
  return fail(sortIssues(locate(problems)))
}
