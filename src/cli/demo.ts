/** `npm run demo`: bundled sample feeds on loopback → topicwire polls them → URLs to open. */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../config/load.js'
import type { CliContext } from './context.js'
import { startFeedServer } from './feed-server.js'
import { logOptions } from './log-options.js'
import { startService } from './serve.js'

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..')

/** The sample feeds the demo publishes (our own fixtures). */
export const DEMO_FEEDS_DIR = resolve(ROOT, 'tests/fixtures/feeds')

/**
 * Publishes the sample feeds on a loopback port, starts topicwire with `config/demo.yaml`
 * (storage in data/demo.json unless DEMO_DB says otherwise), waits for the first poll and prints
 * the feeds to open. Runs until Ctrl-C.
 */
export const demoCommand = async (ctx: CliContext): Promise<void> => {
  const feeds = await startFeedServer(DEMO_FEEDS_DIR)
  const env = { ...ctx.env, DEMO_FEEDS_URL: feeds.url }
  const configPath = ctx.env.TOPICWIRE_CONFIG ?? resolve(ROOT, 'config/demo.yaml')
  const config = await loadConfig(configPath, env)
  let first: () => void = () => {}
  const polled = new Promise<void>((r) => {
    first = r
  })
  const svc = await startService(config, {
    configPath,
    env,
    ...logOptions(ctx.env, 'warn'),
    onCycle: () => first(),
  }).catch(async (err: unknown) => {
    await feeds.close()
    throw err
  })
  await polled
  const base = config.server.baseUrl
  const stored = await svc.deps.store.countItems()
  ctx.out(
    `\ntopicwire demo: ${config.sources.length} sample sources on ${feeds.url}, ${stored} items stored\n`,
  )
  ctx.out('Subscribe in a feed reader (.rss, .atom or .json) or open in a browser:')
  const links: [string, string][] = [
    ...config.topics.map((t): [string, string] => [`${base}/topics/${t.id}.rss`, t.title]),
    ...config.feeds.map((f): [string, string] => [`${base}/feeds/${f.id}.rss`, f.title]),
    [
      `${base}/search.rss?q=Torkham&source=${config.sources[0]?.id ?? ''}`,
      'a search you can subscribe to',
    ],
  ]
  const width = Math.max(...links.map(([url]) => url.length))
  for (const [url, title] of links) ctx.out(`  ${url.padEnd(width)}  ${title}`)
  ctx.out(`\nJSON: ${base}/api/items?topic=pakistan-afghanistan   health: ${base}/api/sources`)
  ctx.out(`Edit the sample feeds in ${DEMO_FEEDS_DIR} or config/demo.yaml and watch them change.`)
  ctx.out('Press Ctrl-C to stop.')
  await new Promise<void>((r) => {
    process.once('SIGINT', r)
    process.once('SIGTERM', r)
  })
  await svc.close()
  await feeds.close()
}
