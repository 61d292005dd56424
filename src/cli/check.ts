/** `topicwire check [--preview]`: validate the configuration; preview rule changes on stored items. */
import { loadConfig } from '../config/load.js'
import type { AppConfig, Item, Store } from '../model/types.js'
import { createTagger, openStore } from '../runtime.js'
import type { CliContext } from './index.js'

/** Exit 0 when the file is valid, 1 (with every error, file:line:col) when not. */
export const checkCommand = async (
  ctx: CliContext,
  opts: { preview: boolean },
): Promise<number> => {
  const config = await loadConfig(ctx.configPath, ctx.env)
  ctx.out(
    `${ctx.configPath}: OK (${config.sources.length} sources, ${config.topics.length} topics, ${config.feeds.length} feeds)`,
  )
  if (!opts.preview) return 0
  const store = await openStore(config)
  try {
    for (const line of await previewTopics(config, store)) ctx.out(line)
  } finally {
    await store.close()
  }
  return 0
}

/** Per topic, the stored items the rules in `config` would add to it or remove from it. */
export const previewTopics = async (config: AppConfig, store: Store): Promise<string[]> => {
  const tagger = createTagger(config)
  const sources = new Map(config.sources.map((s) => [s.id, s]))
  const added = new Map<string, Item[]>()
  const removed = new Map<string, Item[]>()
  let total = 0
  for await (const item of allItems(store)) {
    total++
    const source = sources.get(item.sourceId)
    if (!source) continue
    const next = new Set(tagger(item, source))
    const prev = new Set(item.topics)
    for (const t of next) if (!prev.has(t)) push(added, t, item)
    for (const t of prev) if (!next.has(t)) push(removed, t, item)
  }
  const lines = [`\nPreview over ${total} stored items:`]
  for (const topic of config.topics) {
    const plus = added.get(topic.id) ?? []
    const minus = removed.get(topic.id) ?? []
    lines.push(`\n${topic.id} (${topic.title}): +${plus.length} −${minus.length}`)
    for (const i of plus.slice(0, 20)) lines.push(`  + ${i.title}  [${i.sourceId}]`)
    for (const i of minus.slice(0, 20)) lines.push(`  − ${i.title}  [${i.sourceId}]`)
    if (plus.length + minus.length > 40) lines.push('  …')
  }
  return lines
}

const push = (m: Map<string, Item[]>, key: string, item: Item) => {
  const list = m.get(key)
  if (list) list.push(item)
  else m.set(key, [item])
}

async function* allItems(store: Store): AsyncGenerator<Item> {
  let cursor: string | undefined
  do {
    const page = await store.queryItems({ limit: 500, cursor, clusters: 'all' })
    yield* page.items
    cursor = page.nextCursor
  } while (cursor)
}
