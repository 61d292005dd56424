/** Learns each topic's model from the stored verdicts: the settings the tagger, the workers and `explain` then use. */
import type { Topic, TopicModel, Verdict } from '../model/types.js'
import { trainTopicModel } from './classifier.js'

/** Verdicts a topic learns from at most (the newest): training time stays bounded whatever is imported. */
export const MAX_TRAINING_VERDICTS = 20_000

/** Below this many verdicts a word seen once is kept: a reader's first verdicts are few. */
const FEW = 100

/** Whether a model has seen both an item in the topic and one out of it (else it cannot separate them). */
export const isUsableModel = (m: TopicModel | undefined): m is TopicModel =>
  m !== undefined && m.examples.in > 0 && m.examples.out > 0

/**
 * The model a topic keeps without retraining: a retrain `only` of other topics leaves it what it
 * learned before (in `previous`). Undefined: the topic is (re)trained.
 */
export const keptModel = (
  t: Topic,
  opts: { only?: ReadonlySet<string>; previous?: readonly Topic[] },
): TopicModel | undefined =>
  opts.only && !opts.only.has(t.id)
    ? opts.previous?.find((p) => p.id === t.id)?.model?.learned
    : undefined

/**
 * The topics with `model.learned` set: a topic's model file (`base`) updated with its verdicts
 * (the newest {@link MAX_TRAINING_VERDICTS}), or the file alone when it has none. Topics without
 * `model:` are returned as they are. Deterministic: the same file and verdicts give the same
 * model, so a restart or a reload learns what the running server had.
 * @param only retrain these topics; the others keep the `learned` of `previous` (incremental)
 * @example const topics = learnTopics(config.topics, await store.listVerdicts())
 */
export const learnTopics = (
  topics: readonly Topic[],
  verdicts: readonly Verdict[],
  opts: { only?: ReadonlySet<string>; previous?: readonly Topic[] } = {},
): Topic[] => {
  const byTopic = new Map<string, Verdict[]>()
  for (const v of verdicts) {
    const list = byTopic.get(v.topicId)
    if (list) list.push(v)
    else byTopic.set(v.topicId, [v])
  }
  return topics.map((t) => {
    if (!t.model) return t
    const before = keptModel(t, opts)
    if (before) return { ...t, model: { ...t.model, learned: before } }
    const own = newest(byTopic.get(t.id) ?? [])
    const learned =
      own.length === 0
        ? t.model.base
        : trainTopicModel(
            own.map((v) => ({
              item: { title: v.title, ...(v.summary !== undefined ? { summary: v.summary } : {}) },
              in: v.in,
            })),
            own.length < FEW ? 1 : 2,
            t.model.base,
          )
    const { learned: _old, ...setting } = t.model
    return { ...t, model: learned ? { ...setting, learned } : setting }
  })
}

/** The newest verdicts, in a fixed order (by item id) so training does not depend on the store's. */
const newest = (list: Verdict[]): Verdict[] =>
  [...list]
    .sort((a, b) => (a.at > b.at ? -1 : a.at < b.at ? 1 : a.itemId < b.itemId ? -1 : 1))
    .slice(0, MAX_TRAINING_VERDICTS)
    .sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))
