/**
 * The index page in a real browser: the demo sources are polled by the real service, then Debian's
 * headless Chromium (driven by playwright-core) opens `/`, and every link it offers is followed.
 */
import { existsSync } from 'node:fs'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FEEDS_DIR } from '../../src/cli/demo.js'
import { type FeedServer, startFeedServer } from '../../src/cli/feed-server.js'
import { type Service, startService } from '../../src/cli/serve.js'
import { loadConfig } from '../../src/config/load.js'
import type { AppConfig } from '../../src/model/types.js'

const CHROMIUM = '/usr/bin/chromium'
const DEMO_CONFIG = resolve(import.meta.dirname, '../../config/demo.yaml')
const NEVER = '0 0 1 1 *' // first poll at start, the others by hand
const SCREENSHOT = '/tmp/topicwire-index.png'
const SCREENSHOT_PHONE = '/tmp/topicwire-index-phone.png'
const FEED_TYPE = /^application\/(rss\+xml|atom\+xml|feed\+json); charset=utf-8$/

// Without Chromium a developer's run skips with the reason; CI installs it, so there it must run.
const runnable = existsSync(CHROMIUM) || Boolean(process.env.CI)

interface LinkInfo {
  href: string
  type: string
  title: string
}

let dir: string
let feeds: FeedServer
let config: AppConfig
let svc: Service
let browser: Browser

/** Evaluated in the page (a string, so the test needs no DOM typings). */
const linksOf = async (page: Page, selector: string): Promise<LinkInfo[]> =>
  (await page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((l) => ({ href: l.href, type: l.getAttribute('type') ?? '', title: l.getAttribute('title') ?? '' }))`,
  )) as LinkInfo[]

const open = async (viewport: { width: number; height: number }) => {
  const page = await browser.newPage({ viewport })
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  const res = await page.goto(`${svc.url}/`)
  expect(res?.status()).toBe(200)
  return { page, problems }
}

describe.runIf(runnable)('the index page in headless Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-browser-'))
    await cp(DEMO_FEEDS_DIR, join(dir, 'feeds'), { recursive: true })
    feeds = await startFeedServer(join(dir, 'feeds'))
    config = await loadConfig(DEMO_CONFIG, {
      DEMO_FEEDS_URL: feeds.url,
      DEMO_DB: join(dir, 'db.json'),
    })
    let polled: () => void = () => {}
    const first = new Promise<void>((r) => {
      polled = r
    })
    svc = await startService(config, {
      port: 0,
      hostname: '127.0.0.1',
      logLevel: 'silent',
      tick: NEVER,
      onCycle: () => polled(),
    })
    await first
    // Absolute links must point at this server: its port is known only now.
    config = { ...config, server: { ...config.server, baseUrl: svc.url } }
    await svc.reload(config)
    // Two more polls (both 304) so the sparklines show a history.
    await svc.scheduler.runOnce({ force: true })
    await svc.scheduler.runOnce({ force: true })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await svc?.close()
    await feeds?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('renders the topics with charts, the feeds, the latest items and source health', async () => {
    const { page, problems } = await open({ width: 1280, height: 900 })
    expect(await page.title()).toBe('topicwire')
    expect(await page.locator('h1').textContent()).toBe('topicwire')
    expect(await page.locator('#topics article').count()).toBe(config.topics.length)
    expect(await page.locator('#feeds article').count()).toBe(config.feeds.length)
    expect(await page.locator('#topics svg.chart').count()).toBe(config.topics.length)
    for (const chart of await page.locator('svg.chart').all()) {
      expect(await chart.locator('rect.bar').count()).toBe(30)
      expect(await chart.isVisible()).toBe(true)
    }
    expect(await page.locator('#latest li').count()).toBeGreaterThan(10)
    expect(await page.locator('#sources .badge.ok').count()).toBe(config.sources.length)
    const sparks = page.locator('#sources svg.spark')
    expect(await sparks.count()).toBe(config.sources.length)
    expect(await sparks.first().locator('rect.poll.not-modified').count()).toBe(2)
    // No CSP violation (our inline stylesheet is allowed by its hash), no script error.
    expect(problems).toEqual([])
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor')
    expect(bg).not.toBe('rgba(0, 0, 0, 0)')
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    await page.close()
  }, 60_000)

  it('has autodiscovery tags with absolute hrefs that serve the announced type', async () => {
    const { page } = await open({ width: 1280, height: 900 })
    const tags = await linksOf(page, 'link[rel="alternate"]')
    expect(tags).toHaveLength(2 * (config.feeds.length + config.topics.length))
    for (const tag of tags) {
      expect(tag.href.startsWith(`${svc.url}/`)).toBe(true)
      expect(tag.title).not.toBe('')
      const res = await fetch(tag.href)
      expect(res.status, tag.href).toBe(200)
      expect(res.headers.get('content-type'), tag.href).toBe(`${tag.type}; charset=utf-8`)
    }
    await page.close()
  }, 60_000)

  it('offers subscribe links that all answer 200 with a feed content type', async () => {
    const { page } = await open({ width: 1280, height: 900 })
    const links = await linksOf(page, '.subscribe a, #sources a[type="application/rss+xml"]')
    const expected = 3 * (config.feeds.length + config.topics.length) + config.sources.length
    expect(links).toHaveLength(expected)
    for (const link of links) {
      const res = await fetch(link.href)
      expect(res.status, link.href).toBe(200)
      expect(res.headers.get('content-type'), link.href).toMatch(FEED_TYPE)
    }
    const [opml] = await linksOf(page, 'nav a[type="text/x-opml"]')
    const res = await fetch(opml?.href ?? '')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8')
    await page.close()
  }, 60_000)

  it('fits a phone screen without horizontal scrolling', async () => {
    const { page } = await open({ width: 390, height: 844 })
    const width = await page.evaluate('document.scrollingElement.scrollWidth')
    expect(width).toBeLessThanOrEqual(390)
    const chartWidth = await page.locator('svg.chart').first().boundingBox()
    expect(chartWidth?.width).toBeGreaterThan(250)
    await page.screenshot({ path: SCREENSHOT_PHONE, fullPage: true })
    await page.close()
  }, 60_000)
})

if (!runnable) {
  describe('the index page in headless Chromium', () => {
    it.skip(`skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`, () => {})
  })
}
