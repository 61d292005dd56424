/** `topicwire import-verdicts FILE --topic ID [--items ITEMS]`: stores a labelled TSV as readers' verdicts on a topic. */
import { readFile } from 'node:fs/promises'
import { loadConfig } from '../config/load.js'
import { NotFoundError } from '../model/errors.js'
import type { Verdict } from '../model/types.js'
import { createTagger, learnFromStore, openStore } from '../runtime.js'
import { readItemLabelSet } from '../topics/item-label-set.js'
import { type LabelledRow, parseLabelledSet } from '../topics/labelled-set.js'
import type { CliContext } from './context.js'

/**
 * Reads FILE as our labelled-set format (`id lang kind topics title summary`: in when `topics`
 * lists the topic), or, with `--items`, as a labels file (`id label`, 1 or 0) joined to an items
 * table (`id outlet link published title summary`, as news-dev's); stores one verdict per row,
 * keyed by the row id. A malformed file is refused whole, naming its line; nothing is stored.
 * A topic with `model:` is then retrained and the stored items re-tagged (a running serve does
 * the same at its next start or reload).
 */
export const importVerdictsCommand = async (
  ctx: CliContext,
  file: string,
  opts: { topic: string; items?: string; now: Date },
): Promise<number> => {
  const config = await loadConfig(ctx.configPath, ctx.env)
  const topicId = opts.topic
  if (!config.topics.some((t) => t.id === topicId)) throw new NotFoundError('topic', topicId)
  const text = await readFile(file, 'utf8')
  const rows: LabelledRow[] = opts.items
    ? readItemLabelSet(await readFile(opts.items, 'utf8'), text, topicId, {}, file)
    : parseLabelledSet(text, file)
  const at = opts.now.toISOString()
  const verdicts: Verdict[] = rows.map((r) => ({
    topicId,
    itemId: r.id,
    in: r.topics.includes(topicId),
    at,
    title: r.title,
    ...(r.summary ? { summary: r.summary } : {}),
  }))
  const store = await openStore(config)
  try {
    const changed = await store.saveVerdicts(verdicts)
    await store.flush()
    const inCount = verdicts.filter((v) => v.in).length
    ctx.out(
      `${file}: ${verdicts.length} verdicts on ${topicId} (${inCount} in, ${verdicts.length - inCount} out), ${changed} new or changed`,
    )
    if (changed > 0 && config.topics.some((t) => t.id === topicId && t.model)) {
      // the topic learns from its verdicts: retrain it and re-tag the stored items, as serve would
      const learned = await learnFromStore(config, store)
      const tagger = createTagger(learned)
      const sources = new Map(config.sources.map((s) => [s.id, s]))
      const retagged = await store.retag((item) => {
        const source = sources.get(item.sourceId)
        return source ? tagger(item, source) : item.topics
      })
      await store.flush()
      const m = learned.topics.find((t) => t.id === topicId)?.model?.learned
      ctx.out(
        `${topicId}: model retrained (${m ? `${m.examples.in} in, ${m.examples.out} out` : 'not usable yet: it needs an item in and one out'}); ${retagged} stored items re-tagged`,
      )
    }
  } finally {
    await store.close()
  }
  return 0
}
