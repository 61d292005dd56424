// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are YAML with ${VAR} references, not templates
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_EXPANDED_VALUES } from '../../src/config/alias-problem.js'
import {
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfigText,
  resolveConfigPath,
} from '../../src/config/load.js'
import { MAX_YAML_DEPTH } from '../../src/config/yaml-depth.js'
import { ConfigError, formatConfigIssue } from '../../src/model/errors.js'
import type { AppConfig } from '../../src/model/types.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const fixture = (name: string) => join(root, 'tests/fixtures/config', name)

/** The formatted issues of an invalid text; fails the test when the text is valid. */
const issuesOf = (text: string, env: Record<string, string> = {}): string[] => {
  try {
    parseConfigText(text, 't.yaml', env)
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatConfigIssue)
    throw e
  }
  throw new Error('expected a ConfigError')
}

const S = 'sources: []\n'

describe('storage.lease', () => {
  it('reads a duration into leaseMs, absent by default, and names a value that is not one', () => {
    const given = parseConfigText(
      `storage: { driver: postgres, url: "postgres://h/db", lease: 90s }\n${S}`,
      't.yaml',
      {},
    )
    expect(given.storage.leaseMs).toBe(90_000)
    expect(parseConfigText(S, 't.yaml', {}).storage.leaseMs).toBeUndefined()
    expect(issuesOf(`storage:\n  lease: soon\n${S}`)).toEqual([
      expect.stringMatching(
        /^t\.yaml:2:10: .*lease.* must be a duration such as 20s, 15m or 1h, got "soon"/,
      ),
    ])
  })
})

describe('parseConfigText: every kind of mistake, with its line and column', () => {
  it.each([
    // YAML syntax
    [
      'bad indentation',
      'server:\n  port: 8080\n   base_url: x\nsources: []\n',
      't.yaml:3:4: this line is indented more than the key above it; keys of one map must start in the same column',
    ],
    [
      'a tab',
      'server:\n\tport: 8080\nsources: []\n',
      't.yaml:2:1: a tab is used for indentation; YAML needs spaces',
    ],
    [
      'an unclosed quote',
      'sources:\n  - url: "https://a.b/\n',
      't.yaml:3:1: YAML syntax error: missing closing "quote',
    ],
    [
      'a key written twice',
      'sources: []\nserver: {}\nserver: {}\n',
      't.yaml:3:1: the key "server" appears twice in the same map; keep only one',
    ],
    [
      'an unquoted ": " in a value',
      'sources:\n  - title: Dawn: Pakistan\n    url: https://a.b/\n',
      't.yaml:2:12: this value contains ": ", which YAML reads as a new key; put the value in quotes',
    ],
    [
      'an unquoted cron expression',
      `fetch:\n  every: */10 * * * *\n${S}`,
      't.yaml:2:10: "*/10" is read as a reference to an anchor &/10 that is not defined; if it is text (such as a cron expression), put it in quotes: "*/10 * * * *"',
    ],
    [
      'an alias written before its anchor',
      `topics:\n  a: { match: *early }\n  b: { match: &early Kabul }\n${S}`,
      't.yaml:2:15: "*early" is read as a reference to an anchor &early that is not defined; if it is text (such as a cron expression), put it in quotes: "*early }"',
    ],
    [
      'an alias inside the value of its own anchor',
      `topics:\n  a: &loop { title: A, match: [*loop] }\n${S}`,
      't.yaml:2:32: "*loop" is inside the value of &loop, which would then contain itself without end; an alias can only name a value that ends before it',
    ],
    [
      // Each list holds nine of the one before: the sixth expands to 597,871 values.
      'aliases that expand the data beyond the limit',
      `${['a', 'b', 'c', 'd', 'e']
        .map(
          (n, i) =>
            `${n}: &${n} [${Array(9)
              .fill(i === 0 ? 'x' : `*${'abcde'[i - 1]}`)
              .join(', ')}]`,
        )
        .join('\n')}\nf: [${Array(9).fill('*e').join(', ')}]\n${S}`,
      `t.yaml:6:4: the file's aliases expand its data to more than ${MAX_EXPANDED_VALUES} values; reuse fewer anchors, or fewer times`,
    ],
    [
      'an unquoted variable in a flow map',
      `${S}server: { port: \${PORT:-8080} }\n`,
      't.yaml:2:17: YAML cannot read ${…} inside [ ] or { }; write the key on a line of its own (key: ${NAME}) or put the text in quotes ("${NAME}")',
    ],
    [
      'a quoted key written twice',
      `${S}"server": {}\n'server' : {}\n`,
      't.yaml:3:1: the key "server" appears twice in the same map; keep only one',
    ],
    [
      // the 65th level opens at column 64 + 6 on the line of `x:`
      'maps and lists nested past the limit',
      `${S}x: ${'['.repeat(MAX_YAML_DEPTH)}${']'.repeat(MAX_YAML_DEPTH)}\n`,
      `t.yaml:2:${MAX_YAML_DEPTH + 3}: maps and lists are nested deeper than ${MAX_YAML_DEPTH} levels here; a configuration needs far fewer`,
    ],
    [
      'a second document',
      `${S}---\nsources: []\n`,
      't.yaml:2:1: YAML syntax error: the file holds more than one YAML document (a second ---); a configuration is one document',
    ],
    // unknown keys: the key itself is pointed at
    [
      'an unknown top-level key',
      `sever:\n  port: 1\n${S}`,
      't.yaml:1:1: unknown key "sever" at the top level (did you mean "server"?) (at sever)',
    ],
    [
      'an unknown nested key',
      `fetch:\n  timout: 5s\n${S}`,
      't.yaml:2:3: unknown key "timout" in fetch (did you mean "timeout"?) (at fetch.timout)',
    ],
    [
      'an unknown key in a source',
      'sources:\n  - url: https://a.b/\n    evry: 10m\n',
      't.yaml:3:5: unknown key "evry" in sources[0] (did you mean "every"?) (at sources[0].evry)',
    ],
    [
      'a camelCase key',
      `${S}server:\n  baseUrl: http://x.y\n`,
      't.yaml:3:3: unknown key "baseUrl" in server (did you mean "base_url"?) (at server.baseUrl)',
    ],
    [
      'an unknown key with no close match',
      `${S}colour: red\n`,
      't.yaml:2:1: unknown key "colour" at the top level (allowed: server, storage, fetch, sources, topics, feeds) (at colour)',
    ],
    [
      'an unknown key in a flow map',
      `${S}storage:\n  retention: { max_age: 3 }\n`,
      't.yaml:3:16: unknown key "max_age" in storage.retention (allowed: max_age_days, max_items_per_source) (at storage.retention.max_age)',
    ],
    // wrong types and values
    [
      'text for a number',
      `server:\n  port: abc\n${S}`,
      't.yaml:2:9: "port" must be a whole number from 1 to 65535, got "abc" (at server.port)',
    ],
    [
      'text for a boolean',
      'sources:\n  - url: https://a.b/\n    enabled: "yes"\n',
      't.yaml:3:14: "enabled" must be true or false, got "yes" (at sources[0].enabled)',
    ],
    [
      'a map for a list',
      'sources:\n  url: https://a.b/\n',
      't.yaml:2:3: "sources" must be a list such as [a, b], got a map (at sources)',
    ],
    [
      'a bare URL for a source',
      'sources:\n  - https://a.b/\n',
      't.yaml:2:5: "sources[0]" must be a map with at least url:, got "https://a.b/" (at sources[0])',
    ],
    [
      'a word for a list',
      'sources:\n  - url: https://a.b/\n    tags: pakistan\n',
      't.yaml:3:11: "tags" must be a list such as [a, b], got "pakistan" (at sources[0].tags)',
    ],
    [
      'a URL without scheme',
      'sources:\n  - url: dawn.com/feeds\n',
      't.yaml:2:10: "url" must be an absolute http(s) URL, got "dawn.com/feeds" (at sources[0].url)',
    ],
    [
      'an id with capitals and spaces',
      'sources:\n  - id: Dawn News\n    url: https://a.b/\n',
      't.yaml:2:9: "id" may only use lower-case letters a-z, digits and "-", got "Dawn News" (at sources[0].id)',
    ],
    [
      'a duration in words',
      `fetch:\n  timeout: 20 seconds\n${S}`,
      't.yaml:2:12: "timeout" must be a duration such as 20s, 15m or 1h, got "20 seconds" (at fetch.timeout)',
    ],
    [
      'a bad cron field',
      `fetch:\n  every: "61 * * * *"\n${S}`,
      't.yaml:2:10: "every" is not a valid cron expression ("61 * * * *"): the minute field cannot be "61" (at fetch.every)',
    ],
    [
      'a cron with four fields',
      `${S}fetch: { every: "* * * *" }\n`,
      't.yaml:2:17: "every" is not a valid cron expression ("* * * *"): it has 4 fields; a cron expression has 5 (minute hour day month weekday) or 6 with seconds first (at fetch.every)',
    ],
    [
      'neither duration nor cron',
      `fetch:\n  every: often\n${S}`,
      't.yaml:2:10: "every" must be a duration such as 15m or 1h, or a cron expression such as "*/10 * * * *", got "often" (at fetch.every)',
    ],
    [
      'an unknown time zone',
      'sources:\n  - url: https://a.b/\n    timezone: Asia/Lahore\n',
      't.yaml:3:15: "timezone" must be a time zone name such as Asia/Karachi or UTC, got "Asia/Lahore" (at sources[0].timezone)',
    ],
    [
      'a language name instead of a code',
      'sources:\n  - url: https://a.b/\n    language: English\n',
      't.yaml:3:15: "language" must be a language code such as en, ur or fa-AF, got "English" (at sources[0].language)',
    ],
    [
      'a limit over 500',
      `${S}feeds:\n  - id: f\n    limit: 900\n`,
      't.yaml:4:12: "limit" must be a whole number from 1 to 500, got 900 (at feeds[0].limit)',
    ],
    [
      'an unknown storage driver',
      `${S}storage:\n  driver: mysql\n`,
      't.yaml:3:11: "driver" must be "lowdb" or "postgres", got "mysql" (at storage.driver)',
    ],
    [
      'an empty topics list in a feed',
      `${S}feeds:\n  - id: f\n    topics: []\n`,
      't.yaml:4:13: "topics" is an empty list; leave "topics" out to include items of any topic (at feeds[0].topics)',
    ],
    // missing keys: the parent map is pointed at
    [
      'a source without url',
      'sources:\n  - title: x\n',
      't.yaml:2:5: missing "url" in sources[0] (at sources[0].url)',
    ],
    [
      'no sources key',
      'server: {}\n',
      't.yaml:1:1: missing "sources" at the top level (at sources)',
    ],
    [
      'an empty sources key',
      'sources:\n',
      't.yaml:1:1: "sources" has no value at the top level (at sources)',
    ],
    [
      'a topic without match',
      `${S}topics:\n  t:\n    title: T\n`,
      't.yaml:4:5: missing "match" in topics.t (at topics.t.match)',
    ],
    ['an empty file', '', 't.yaml:1:1: the file is empty; it needs at least a "sources:" list'],
    [
      'only comments',
      '# nothing yet\n',
      't.yaml:1:1: the file is empty; it needs at least a "sources:" list',
    ],
    [
      'a list at the top',
      '- a\n- b\n',
      't.yaml:1:1: the file must be a map of settings (server:, sources:, topics: …), got [a, b]',
    ],
    // references between sections
    [
      'a duplicate source id',
      'sources:\n  - id: dawn\n    url: https://a.b/\n  - id: dawn\n    url: https://a.c/\n',
      't.yaml:4:9: source id "dawn" is used twice (sources[0] has it too); ids must be unique (at sources[1].id)',
    ],
    [
      'a duplicate feed id',
      `${S}feeds:\n  - id: f\n  - id: f\n`,
      't.yaml:4:9: feed id "f" is used twice (feeds[0] has it too); ids must be unique (at feeds[1].id)',
    ],
    [
      'an unknown topic in a feed',
      `${S}topics:\n  trade:\n    match: Torkham\nfeeds:\n  - id: f\n    topics: [trades]\n`,
      't.yaml:7:14: topic "trades" is not defined under topics: (did you mean "trade"?) (at feeds[0].topics[0])',
    ],
    [
      'an unknown excluded topic',
      `${S}feeds:\n  - id: f\n    exclude_topics: [sport]\n`,
      't.yaml:4:22: topic "sport" is not defined under topics: (at feeds[0].exclude_topics[0])',
    ],
    [
      'an unknown source in a feed',
      'sources:\n  - id: dawn\n    url: https://a.b/\nfeeds:\n  - id: f\n    sources: [dawn, bbc]\n',
      't.yaml:6:21: source "bbc" is not defined under sources: (at feeds[0].sources[1])',
    ],
    [
      'a bad topic id',
      `${S}topics:\n  Trade:\n    match: x\n`,
      't.yaml:3:3: topic id "Trade" may only use lower-case letters a-z, digits and "-" (at topics.Trade)',
    ],
    [
      'postgres without a URL',
      `${S}storage:\n  driver: postgres\n`,
      't.yaml:3:11: storage driver "postgres" needs a database URL: set storage.url or the DATABASE_URL environment variable (at storage.driver)',
    ],
    // topic rules
    [
      'an empty match group',
      `${S}topics:\n  t:\n    match:\n      any: []\n`,
      't.yaml:5:7: "match" needs at least one rule under any:, all: or none: (at topics.t.match)',
    ],
    [
      'a misspelt group key',
      `${S}topics:\n  t:\n    match:\n      aany: [x]\n`,
      't.yaml:5:7: unknown key "aany" in topics.t.match (did you mean "any"?) (at topics.t.match.aany)',
    ],
    [
      'a near with one word',
      `${S}topics:\n  t:\n    match:\n      any:\n        - near: [Torkham]\n`,
      't.yaml:6:17: "near" must be a list of at least two words or phrases, such as [Torkham, trade]; got [Torkham] (at topics.t.match.any[0].near)',
    ],
    [
      'a bare list as a rule',
      `${S}topics:\n  t:\n    match: [a, b]\n`,
      't.yaml:4:12: "match" must be a word or phrase, or a map with any/all/none, term/weight, near/within or source; got [a, b]; put the list under any:, all: or none: (at topics.t.match)',
    ],
    // environment
    [
      'an unset variable',
      `${S}storage:\n  url: \${DATABASE_URL}\n`,
      't.yaml:3:8: environment variable DATABASE_URL is not set and has no default (write ${DATABASE_URL:-…} to give one) (at storage.url)',
    ],
    [
      'an unset variable inside text',
      `${S}storage:\n  path: "$\${HOME}/\${DATA_DIR}/db.json"\n`,
      't.yaml:3:19: environment variable DATA_DIR is not set and has no default (write ${DATA_DIR:-…} to give one) (at storage.path)',
    ],
    [
      'a malformed reference',
      `${S}storage:\n  path: data/\${}.json\n`,
      't.yaml:3:14: "${" starts an environment variable but is not followed by a name and "}": write ${NAME} or ${NAME:-default}, or $${ for a literal "${" (at storage.path)',
    ],
  ])('%s', (_, text, expected) => {
    expect(issuesOf(text)).toEqual([expected])
  })

  it('reports a rule that does not compile at the term that fails', () => {
    const [issue] = issuesOf(`${S}topics:\n  t:\n    match:\n      any: [Kabul, /(unclosed/]\n`)
    expect(issue).toMatch(
      /^t\.yaml:5:20: .*regular expression \/\(unclosed\/.*\(at topics\.t\.match\.any\[1\]\)$/,
    )
  })

  it.each([
    [
      'PORT',
      { PORT: 'eighty' },
      S,
      't.yaml:1:1: environment variable PORT must be a whole number from 1 to 65535, got "eighty" (at server.port)',
    ],
    [
      'BASE_URL',
      { BASE_URL: 'localhost:8080' },
      `server:\n  base_url: http://a.b\n${S}`,
      't.yaml:2:13: environment variable BASE_URL must be an absolute http(s) URL, got "localhost:8080" (at server.base_url)',
    ],
  ])('rejects a bad %s override', (_, env, text, expected) => {
    expect(issuesOf(text, env)).toEqual([expected])
  })

  it('reports every problem of a file together, in file order', async () => {
    await expect(loadConfig(fixture('several-errors.yaml'), {})).rejects.toSatisfy((e: unknown) => {
      expect(e).toBeInstanceOf(ConfigError)
      const file = fixture('several-errors.yaml')
      expect((e as ConfigError).issues.map(formatConfigIssue)).toEqual([
        `${file}:3:9: "port" must be a whole number from 1 to 65535, got 0 (at server.port)`,
        `${file}:5:3: unknown key "evry" in fetch (did you mean "every"?) (at fetch.evry)`,
        `${file}:8:10: "url" must be an absolute http(s) URL, got "dawn.com/feeds" (at sources[0].url)`,
        `${file}:9:15: "timezone" must be a time zone name such as Asia/Karachi or UTC, got "Asia/Lahore" (at sources[0].timezone)`,
        `${file}:12:12: "limit" must be a whole number from 1 to 500, got 900 (at feeds[0].limit)`,
      ])
      expect((e as ConfigError).code).toBe('config')
      return true
    })
  })

  it('does not also call a value wrong when its variable is unset', () => {
    expect(issuesOf('sources:\n  - url: ${FEED_URL}\n')).toEqual([
      't.yaml:2:10: environment variable FEED_URL is not set and has no default (write ${FEED_URL:-…} to give one) (at sources[0].url)',
    ])
  })
})

describe('parseConfigText: hostile files', () => {
  it('refuses 200,000 nested lists with the place of the first level too deep', () => {
    const issues = issuesOf(`${S}x: ${'['.repeat(200_000)}\n`)
    expect(issues).toEqual([
      `t.yaml:2:${MAX_YAML_DEPTH + 3}: maps and lists are nested deeper than ${MAX_YAML_DEPTH} levels here; a configuration needs far fewer`,
    ])
  })

  it('lists at most 20 syntax errors, then says how many more there are', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `k${i}: [a] b`)
    const issues = issuesOf(`${S}${lines.join('\n')}\n`)
    expect(issues).toHaveLength(21)
    expect(issues[0]).toMatch(/^t\.yaml:2:\d+: YAML syntax error/)
    expect(issues[20]).toMatch(/^t\.yaml:22:\d+: 10 more YAML errors from here on are not listed/)
  })

  it('reads a long line of bracket pairs to its errors in one pass per error', () => {
    const issues = issuesOf(`${S}x: ${'[] '.repeat(20_000)}\n`)
    expect(issues).toEqual(['t.yaml:2:7: YAML syntax error: unexpected flow-seq-start at node end'])
  })

  it('finds a variable in a flow map only before any quote or comment', () => {
    expect(issuesOf(`${S}server: { name: "\${X}", port: \${P} }\n`)[0]).not.toMatch(
      /cannot read \$\{/,
    )
    expect(issuesOf(`${S}server: [ a, \${P} ] # \${Q}\n`)[0]).toBe(
      't.yaml:2:14: YAML cannot read ${…} inside [ ] or { }; write the key on a line of its own (key: ${NAME}) or put the text in quotes ("${NAME}")',
    )
  })
})

describe('parseConfigText: valid files', () => {
  it('guards private networks by default; a source or the fetch section opts out explicitly', () => {
    const text = [
      'sources:',
      '  - { id: public, url: "https://news.example.org/rss" }',
      '  - { id: local, url: "http://127.0.0.1:8081/feed", allow_private_networks: true }',
    ].join('\n')
    const config = parseConfigText(text, 't.yaml', {})
    expect(config.fetch.allowPrivateNetworks).toBe(false)
    expect(config.sources.map((s) => [s.id, s.allowPrivateNetworks])).toEqual([
      ['public', undefined],
      ['local', true],
    ])
    const open = parseConfigText(`fetch: { allow_private_networks: true }\n${text}`, 't.yaml', {})
    expect(open.fetch.allowPrivateNetworks).toBe(true)
  })

  it('fills every default for a minimal file', async () => {
    const config = await loadConfig(fixture('minimal.yaml'), {})
    expect(config).toEqual<AppConfig>({
      file: fixture('minimal.yaml'),
      server: { host: '127.0.0.1', port: 8080, baseUrl: 'http://localhost:8080' },
      storage: {
        driver: 'lowdb',
        // Relative paths are the file's: resolved against its folder.
        path: fixture('data/db.json'),
        retention: { maxAgeDays: 60, maxItemsPerSource: 2000 },
      },
      fetch: {
        every: '15m',
        timeoutMs: 20_000,
        maxBytes: 10 * 1024 * 1024,
        concurrency: 8,
        perHost: 2,
        userAgent: 'topicwire/0.1 (+https://github.com/topicwire/topicwire)',
        allowPrivateNetworks: false,
        analysisTimeoutMs: 10_000,
      },
      sources: [
        {
          id: 'news-example-org',
          title: 'news.example.org',
          url: 'https://news.example.org/feed.xml',
          tags: [],
          priority: 0,
          enabled: true,
        },
      ],
      topics: [],
      feeds: [],
    })
  })

  it('leaves storage.path as written in parseConfigText; loadConfig resolves it against the file', async () => {
    expect(
      parseConfigText('storage: { path: db/x.json }\nsources: []\n', 'a/t.yaml').storage.path,
    ).toBe('db/x.json')
    const absolute = await loadConfig(fixture('minimal.yaml'), {})
    expect(absolute.storage.path).toBe(resolve(root, 'tests/fixtures/config/data/db.json'))
  })

  it('reads every key of a full file', async () => {
    const config = await loadConfig(fixture('full.yaml'), {})
    expect(config.server).toEqual({
      host: '0.0.0.0',
      port: 9090,
      baseUrl: 'https://news.example.org/topicwire',
      feedToken: 'reader-secret',
    })
    expect(config.storage).toEqual({
      driver: 'postgres',
      path: fixture('var/db.json'),
      url: 'postgres://topicwire@localhost/topicwire',
      retention: { maxAgeDays: 30, maxItemsPerSource: 500 },
    })
    expect(config.fetch).toEqual({
      every: '*/20 * * * *',
      timeoutMs: 15_000,
      maxBytes: 2 * 1024 * 1024,
      concurrency: 4,
      perHost: 1,
      userAgent: 'test-agent/1.0',
      allowPrivateNetworks: false,
      analysisTimeoutMs: 4_000,
      cycleTimeoutMs: 180_000,
    })
    expect(config.sources).toEqual([
      {
        id: 'border-daily',
        title: 'Border Daily',
        url: 'https://border.example.org/rss',
        every: '5m',
        tags: ['pakistan', 'local'],
        language: 'ur',
        timezone: 'Asia/Karachi',
        priority: 10,
        enabled: false,
      },
      {
        id: 'kabul-ledger',
        title: 'Kabul Ledger',
        url: 'https://kabul.example.net/atom.xml',
        tags: [],
        priority: 0,
        enabled: true,
      },
    ])
    expect(config.topics).toEqual([
      {
        id: 'crossings',
        title: 'Border crossings',
        match: {
          any: [
            { near: ['Torkham', 'trade'], within: 8 },
            'title:Chaman',
            '/transit\\s+trade/i',
            { term: 'Durand', weight: 2 },
            { all: ['Pakistan', 'Afghanistan'], in: ['title', 'summary'] },
          ],
          none: ['cricket'],
        },
        in: ['title', 'summary', 'content'],
        sourceTags: ['pakistan'],
        excludeSourceTags: ['opinion'],
        minScore: 1,
      },
    ])
    expect(config.feeds).toEqual([
      {
        id: 'crossings',
        title: 'Crossings',
        description: 'Crossings only, from the two outlets.',
        topics: ['crossings'],
        sources: ['border-daily', 'kabul-ledger'],
        excludeTopics: [],
        limit: 500,
      },
    ])
  })

  it('generates unique ids from titles, else URL hosts, around the ids written', () => {
    const text = `sources:
  - { title: Dawn, url: "https://a.example/1" }
  - { id: dawn-2, title: Other, url: "https://a.example/2" }
  - { title: Dawn, url: "https://a.example/3" }
  - { title: "Al Jazeera — English", url: "https://a.example/4" }
  - { url: "https://www.example.org/feed" }
  - { title: "بی بی سی اردو", url: "https://feeds.bbci.co.uk/urdu/rss.xml" }
  - { title: "Türkiye Today", url: "https://a.example/5" }
`
    const config = parseConfigText(text, 't.yaml', {})
    expect(config.sources.map((s) => [s.id, s.title])).toEqual([
      ['dawn', 'Dawn'],
      ['dawn-2', 'Other'],
      ['dawn-3', 'Dawn'],
      ['al-jazeera-english', 'Al Jazeera — English'],
      ['example-org', 'example.org'],
      ['feeds-bbci-co-uk', 'بی بی سی اردو'],
      ['turkiye-today', 'Türkiye Today'],
    ])
  })

  it('lets feeds name generated source ids', () => {
    const text =
      'sources:\n  - { title: Dawn, url: "https://a.b/" }\nfeeds:\n  - { id: f, sources: [dawn] }\n'
    expect(parseConfigText(text, 't.yaml', {}).feeds[0]?.sources).toEqual(['dawn'])
  })

  it('uses defaults of ${VAR:-default}, and environment values when set', () => {
    const text = `server:\n  port: \${PORT_IN_YAML:-9000}\n  admin_token: \${ADMIN:-}\n${S}storage:\n  url: \${DB:-postgres://localhost/tw}\n`
    const unset = parseConfigText(text, 't.yaml', {})
    expect(unset.server).toEqual({
      host: '127.0.0.1',
      port: 9000,
      baseUrl: 'http://localhost:9000',
    })
    expect(unset.storage.url).toBe('postgres://localhost/tw')
    const set = parseConfigText(text, 't.yaml', {
      PORT_IN_YAML: '7070',
      ADMIN: 's3cret',
      DB: 'postgres://db/x',
    })
    expect(set.server).toEqual({
      host: '127.0.0.1',
      port: 7070,
      baseUrl: 'http://localhost:7070',
      adminToken: 's3cret',
    })
    expect(set.storage.url).toBe('postgres://db/x')
  })

  it('writes a literal "${" for "$${"', () => {
    const text = `${S}fetch:\n  user_agent: "bot $\${NOT_A_VAR} \${UA_SUFFIX:-x}"\n`
    expect(parseConfigText(text, 't.yaml', {}).fetch.userAgent).toBe('bot ${NOT_A_VAR} x')
  })

  it('treats empty tokens as unset', () => {
    const text = `server:\n  admin_token: ""\n  feed_token: "  "\n${S}`
    expect(parseConfigText(text, 't.yaml', {}).server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      baseUrl: 'http://localhost:8080',
    })
  })

  it('accepts a byte-order mark and valid cron expressions', () => {
    const text = `\uFEFFfetch:\n  every: "0 */2 * * *"\nsources:\n  - { url: "https://a.b/", every: "@hourly" }\n`
    const config = parseConfigText(text, 't.yaml', {})
    expect([config.fetch.every, config.sources[0]?.every]).toEqual(['0 */2 * * *', '@hourly'])
  })
})

describe('environment overrides', () => {
  const text = `server:\n  port: 8080\n${S}storage:\n  driver: postgres\n`

  it('applies PORT, BASE_URL, DATABASE_URL and ADMIN_TOKEN after validation', () => {
    const config = parseConfigText(text, 't.yaml', {
      PORT: '3000',
      BASE_URL: 'https://feeds.example.org/',
      DATABASE_URL: 'postgres://u@h/db',
      ADMIN_TOKEN: 'admin',
      LOG_LEVEL: 'debug',
    })
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 3000,
      baseUrl: 'https://feeds.example.org',
      adminToken: 'admin',
    })
    expect(config.storage).toMatchObject({ driver: 'postgres', url: 'postgres://u@h/db' })
  })

  it('derives the default base URL from an overridden port', () => {
    expect(parseConfigText(S, 't.yaml', { PORT: '3000' }).server.baseUrl).toBe(
      'http://localhost:3000',
    )
  })

  it('keeps a base URL written in the file when only PORT is set', () => {
    const config = parseConfigText(`server: { base_url: "https://x.example/" }\n${S}`, 't.yaml', {
      PORT: '1',
    })
    expect(config.server).toEqual({ host: '127.0.0.1', port: 1, baseUrl: 'https://x.example' })
  })

  it('listens on 127.0.0.1 unless server.host or TOPICWIRE_HOST says otherwise', () => {
    expect(parseConfigText(S, 't.yaml', {}).server.host).toBe('127.0.0.1')
    const written = `server:\n  host: "::"\n${S}`
    expect(parseConfigText(written, 't.yaml', {}).server.host).toBe('::')
    expect(parseConfigText(written, 't.yaml', { TOPICWIRE_HOST: '0.0.0.0' }).server.host).toBe(
      '0.0.0.0',
    )
    expect(parseConfigText(S, 't.yaml', { TOPICWIRE_HOST: 'localhost' }).server.host).toBe(
      'localhost',
    )
  })

  it('rejects a host with a scheme or port, in the file and in TOPICWIRE_HOST', () => {
    expect(issuesOf(`server:\n  host: http://0.0.0.0:8080\n${S}`)).toEqual([
      't.yaml:2:9: "host" must be an address to listen on such as 127.0.0.1, 0.0.0.0 or ::, got "http://0.0.0.0:8080" (at server.host)',
    ])
    expect(issuesOf(S, { TOPICWIRE_HOST: '0.0.0.0:80' })).toEqual([
      't.yaml:1:1: environment variable TOPICWIRE_HOST must be an address to listen on such as 127.0.0.1, 0.0.0.0 or ::, got "0.0.0.0:80" (at server.host)',
    ])
  })

  it('ignores empty environment values', () => {
    const config = parseConfigText(S, 't.yaml', { PORT: '', BASE_URL: '', ADMIN_TOKEN: '' })
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      baseUrl: 'http://localhost:8080',
    })
  })
})

describe('loadConfig and resolveConfigPath', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-config-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('names a missing file', async () => {
    const path = join(dir, 'nope.yaml')
    await expect(loadConfig(path, {})).rejects.toThrow(
      `${path}:1:1: the configuration file ${path} does not exist (give another one with --config PATH or TOPICWIRE_CONFIG)`,
    )
  })

  it('reads the environment it is given', async () => {
    const path = join(dir, 'env.yaml')
    await writeFile(path, 'sources:\n  - url: ${FEED}\n')
    const config = await loadConfig(path, { FEED: 'https://from.env/feed' })
    expect(config.sources[0]?.url).toBe('https://from.env/feed')
    expect(config.file).toBe(path)
  })

  it.each([
    [undefined, {}, DEFAULT_CONFIG_PATH],
    [undefined, { TOPICWIRE_CONFIG: 'other.yaml' }, 'other.yaml'],
    ['flag.yaml', { TOPICWIRE_CONFIG: 'other.yaml' }, 'flag.yaml'],
  ])('resolveConfigPath(%s, %o) is %s', (flag, env, expected) => {
    expect(resolveConfigPath(flag, env)).toBe(expected)
  })
})
