import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import type { AppConfig } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import type { CompiledTopics } from '../../src/topics/compiled.js'
import { tagItem } from '../../src/topics/tag.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const shipped = join(root, 'config/topicwire.yaml')

describe('the shipped config/topicwire.yaml', () => {
  let config: AppConfig
  beforeAll(async () => {
    config = await loadConfig(shipped, {})
  })

  it('keeps its store in data/ beside config/, or in TOPICWIRE_DATA (the deploy recipes set it)', async () => {
    expect(config.storage.path).toBe(join(root, 'data/db.json'))
    const service = await loadConfig(shipped, { TOPICWIRE_DATA: '/var/lib/topicwire' })
    expect(service.storage.path).toBe('/var/lib/topicwire/db.json')
  })

  it('is valid with an empty environment and uses the SPEC defaults', () => {
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      baseUrl: 'http://localhost:8080',
    })
    expect(config.storage.driver).toBe('lowdb')
    expect(config.storage.url).toBeUndefined()
    expect(config.fetch.every).toBe('15m')
  })

  it('links to the port it serves on when PORT is set, and to BASE_URL when that is set', async () => {
    const onPort = await loadConfig(shipped, { PORT: '18931' })
    expect(onPort.server).toMatchObject({ port: 18931, baseUrl: 'http://localhost:18931' })
    const proxied = await loadConfig(shipped, { PORT: '18931', BASE_URL: 'https://feeds.example/' })
    expect(proxied.server).toMatchObject({ port: 18931, baseUrl: 'https://feeds.example' })
  })

  it('carries every outlet of SPEC §7', () => {
    expect(config.sources.map((s) => s.url).sort()).toEqual(
      [
        'https://www.dawn.com/feeds/home',
        'https://tribune.com.pk/feed/home',
        'https://www.geo.tv/rss/1/0',
        'https://www.thenews.com.pk/rss/1/1',
        'https://tolonews.com/rss.xml',
        'https://pajhwok.com/en/feed/',
        'https://www.khaama.com/feed/',
        'https://www.ariananews.af/feed/',
        'https://www.aljazeera.com/xml/rss/all.xml',
        'https://feeds.bbci.co.uk/news/world/asia/rss.xml',
        'https://feeds.bbci.co.uk/urdu/rss.xml',
        'https://www.theguardian.com/world/pakistan/rss',
        'https://www.theguardian.com/world/afghanistan/rss',
      ].sort(),
    )
  })

  it('tags and zones sources by country, and marks BBC Urdu as Urdu', () => {
    for (const s of config.sources) {
      expect(s.tags.length).toBeGreaterThan(0)
      if (s.tags[0] === 'pakistan') expect(s.timezone).toBe('Asia/Karachi')
      if (s.tags[0] === 'afghanistan') expect(s.timezone).toBe('Asia/Kabul')
    }
    expect(config.sources.find((s) => s.id === 'bbc-urdu')?.language).toBe('ur')
  })

  it('defines the relations topic, the narrower ones and a feed for each', () => {
    expect(config.topics.map((t) => t.id)).toEqual([
      'pakistan-afghanistan',
      'border-trade',
      'security-militancy',
      'refugees-migration',
      'diplomacy-talks',
    ])
    const fed = new Set(config.feeds.flatMap((f) => f.topics ?? []))
    for (const t of config.topics) expect(fed.has(t.id), t.id).toBe(true)
    expect(config.feeds.find((f) => f.id === 'pak-afghan')).toMatchObject({
      topics: ['pakistan-afghanistan'],
    })
  })

  it('takes secrets from the environment', async () => {
    const env = { ADMIN_TOKEN: 'a', FEED_TOKEN: 'f', DATABASE_URL: 'postgres://db/tw' }
    const withEnv = await loadConfig(shipped, env)
    expect(withEnv.server).toMatchObject({ adminToken: 'a', feedToken: 'f' })
    expect(withEnv.storage.url).toBe('postgres://db/tw')
  })

  describe('topic rules on hand-written headlines', () => {
    let compiled: CompiledTopics
    beforeAll(() => {
      compiled = compileTopics(config.topics)
    })

    it.each([
      [
        'Pakistan, Afghanistan agree to extend ceasefire after Istanbul talks',
        'Delegations from Islamabad and Kabul met under Turkish and Qatari mediation.',
        ['diplomacy-talks', 'pakistan-afghanistan'],
      ],
      [
        'Torkham border reopens for trade after three weeks',
        'Hundreds of trucks crossed on Monday.',
        ['border-trade', 'pakistan-afghanistan'],
      ],
      [
        'Over 5,000 Afghans deported from Pakistan in a week',
        'UNHCR said the returnees crossed at Torkham and Chaman.',
        ['pakistan-afghanistan', 'refugees-migration'],
      ],
      [
        'Security forces kill 12 TTP militants in North Waziristan',
        'The military said the group was infiltrating from Afghanistan.',
        ['pakistan-afghanistan', 'security-militancy'],
      ],
      [
        'پاکستان اور افغانستان کے درمیان دوحہ میں مذاکرات',
        'طالبان حکومت کا وفد شریک ہوا',
        ['diplomacy-talks', 'pakistan-afghanistan'],
      ],
      ['تورخم سرحد پر تجارت بحال', '', ['border-trade', 'pakistan-afghanistan']],
      [
        'Pakistan beat Afghanistan by six wickets in the Asia Cup',
        'A T20 thriller in Sharjah.',
        [],
      ],
      [
        'What to expect from the US election',
        'Candidates spoke about Afghanistan and Pakistan.',
        [],
      ],
      ['Iran deports thousands of Afghan migrants', 'Returnees arrived at Islam Qala.', []],
    ])('%s', (title, summary, expected) => {
      expect(tagItem({ title, summary, categories: [] }, compiled, [])).toEqual(expected)
    })
  })
})
