/** From the validated file to AppConfig: source ids, environment overrides, cross-references, topic checks. */
import type { AppConfig, Source, Topic } from '../model/types.js'
import type { ConfigPath, Problem } from './locate.js'
import { ID_PATTERN, isHttpUrl, isListenHost, suggestKey } from './plain-checks.js'
import type { ParsedConfig, ParsedSource } from './schema.js'

type Env = Record<string, string | undefined>

/**
 * What a command checks of the topics beyond their YAML (topic-problems.ts compiles the rules and
 * reads the model files); paths from `topics`. Injected, so that a command that never tags does
 * not load the rule compiler.
 */
export type TopicCheck = (topics: Topic[], configFile: string) => Problem[]

/**
 * Lower-case ASCII slug: letters and digits joined by "-", accents dropped.
 * @example slugify('Al Jazeera — English') // 'al-jazeera-english'
 */
export const slugify = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')

const hostOf = (url: string): string => new URL(url).hostname.replace(/^www\./, '')

/**
 * Gives every source its id and title. A missing id comes from the title (or, for a title with no
 * Latin letters, the URL host), made unique with `-2`, `-3`… against every other id; a missing
 * title is the URL host. An id written twice is a problem.
 */
export const assignSourceIds = (
  sources: readonly ParsedSource[],
): { sources: Source[]; problems: Problem[] } => {
  const problems: Problem[] = []
  const firstAt = new Map<string, number>()
  sources.forEach((s, i) => {
    if (s.id === undefined) return
    const first = firstAt.get(s.id)
    if (first === undefined) firstAt.set(s.id, i)
    else
      problems.push({
        path: ['sources', i, 'id'],
        message: `source id "${s.id}" is used twice (sources[${first}] has it too); ids must be unique`,
      })
  })
  const taken = new Set(firstAt.keys())
  const out = sources.map((s): Source => {
    const title = s.title ?? hostOf(s.url)
    let id = s.id
    if (id === undefined) {
      const base = slugify(s.title ?? '') || slugify(hostOf(s.url)) || 'source'
      id = base
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
      taken.add(id)
    }
    // Written id/title, when present, equal the values computed here; this keeps id first.
    return { id, title, ...s }
  })
  return { sources: out, problems }
}

const envProblem = (path: ConfigPath, name: string, what: string, got: string): Problem => ({
  path,
  message: `environment variable ${name} must be ${what}, got ${JSON.stringify(got)}`,
})

/** Applies TOPICWIRE_HOST (not HOST, which some shells set to the machine's name), PORT, BASE_URL, DATABASE_URL and ADMIN_TOKEN (empty values count as unset). */
const applyEnv = (config: AppConfig, baseUrlGiven: boolean, env: Env): Problem[] => {
  const problems: Problem[] = []
  const get = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined)
  const host = get('TOPICWIRE_HOST')
  if (host !== undefined) {
    if (isListenHost(host)) config.server.host = host
    else
      problems.push(
        envProblem(
          ['server', 'host'],
          'TOPICWIRE_HOST',
          'an address to listen on such as 127.0.0.1, 0.0.0.0 or ::',
          host,
        ),
      )
  }
  const port = get('PORT')
  if (port !== undefined) {
    const n = Number(port)
    if (/^\d+$/.test(port) && n >= 1 && n <= 65535) config.server.port = n
    else
      problems.push(envProblem(['server', 'port'], 'PORT', 'a whole number from 1 to 65535', port))
  }
  const baseUrl = get('BASE_URL')
  if (baseUrl !== undefined) {
    if (isHttpUrl(baseUrl)) config.server.baseUrl = baseUrl.replace(/\/+$/, '')
    else
      problems.push(
        envProblem(['server', 'base_url'], 'BASE_URL', 'an absolute http(s) URL', baseUrl),
      )
  } else if (!baseUrlGiven) {
    config.server.baseUrl = `http://localhost:${config.server.port}`
  }
  const databaseUrl = get('DATABASE_URL')
  if (databaseUrl !== undefined) config.storage.url = databaseUrl
  const adminToken = get('ADMIN_TOKEN')
  if (adminToken !== undefined) config.server.adminToken = adminToken
  return problems
}

/** Names that must refer to something defined elsewhere in the file. */
const checkReferences = (config: AppConfig): Problem[] => {
  const problems: Problem[] = []
  const topicIds = config.topics.map((t) => t.id)
  const sourceIds = config.sources.map((s) => s.id)
  for (const id of topicIds) {
    if (!ID_PATTERN.test(id))
      problems.push({
        path: ['topics', id],
        at: 'key',
        message: `topic id "${id}" may only use lower-case letters a-z, digits and "-"`,
      })
  }
  const unknown = (kind: string, name: string, known: string[], section: string) => {
    const hint = suggestKey(name, known)
    return `${kind} "${name}" is not defined under ${section}:${hint ? ` (did you mean "${hint}"?)` : ''}`
  }
  const feedAt = new Map<string, number>()
  config.feeds.forEach((feed, i) => {
    const first = feedAt.get(feed.id)
    if (first !== undefined)
      problems.push({
        path: ['feeds', i, 'id'],
        message: `feed id "${feed.id}" is used twice (feeds[${first}] has it too); ids must be unique`,
      })
    else feedAt.set(feed.id, i)
    const lists = [
      ['topics', feed.topics, topicIds, 'topic', 'topics'],
      ['exclude_topics', feed.excludeTopics, topicIds, 'topic', 'topics'],
      ['sources', feed.sources, sourceIds, 'source', 'sources'],
    ] as const
    for (const [key, names, known, kind, section] of lists) {
      names?.forEach((name, j) => {
        if (!known.includes(name))
          problems.push({
            path: ['feeds', i, key, j],
            message: unknown(kind, name, known, section),
          })
      })
    }
  })
  if (config.storage.driver === 'postgres' && !config.storage.url)
    problems.push({
      path: ['storage', 'driver'],
      message:
        'storage driver "postgres" needs a database URL: set storage.url or the DATABASE_URL environment variable',
    })
  return problems
}

/**
 * Completes a validated file: ids and titles, environment overrides (after validation, so the
 * YAML's own problems are reported as written), default base URL, references between sections
 * and, with `checkTopics`, its checks of the topics. Returns the config and every problem found.
 */
export const resolveConfig = (
  parsed: ParsedConfig,
  file: string,
  env: Env,
  checkTopics?: TopicCheck,
): { config: AppConfig; problems: Problem[] } => {
  const { sources, problems } = assignSourceIds(parsed.sources)
  const topics = Object.entries(parsed.topics).map(
    ([id, t]): Topic => ({ id, title: t.title ?? id, ...t }),
  )
  const config: AppConfig = {
    file,
    server: { ...parsed.server, baseUrl: parsed.server.baseUrl ?? '' },
    storage: { ...parsed.storage, retention: { ...parsed.storage.retention } },
    fetch: { ...parsed.fetch },
    sources,
    topics,
    feeds: parsed.feeds,
  }
  problems.push(...applyEnv(config, parsed.server.baseUrl !== undefined, env))
  problems.push(...checkReferences(config))
  if (checkTopics) problems.push(...checkTopics(topics, file))
  return { config, problems }
}
