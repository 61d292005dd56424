/** Learns each topic's model from the stored verdicts: the settings the tagger, the workers and `explain` then use. */
import type { StoredTopicModel, Topic, TopicModel, Verdict } from '../model/types.js'
import { type HistoryCache, learnHistory } from './learn-history.js'

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
 * (learnHistory: a full retrain every so many verdicts, incremental steps on the ones after), or
 * the file alone when it has none. Topics without `model:` are returned as they are.
 * Deterministic: the same file and verdicts give the same model, so a restart, a reload or
 * another replica learns what the running server had.
 * @param only retrain these topics; the others keep the `learned` of `previous`
 * @param cache what the last learning left (a learner keeps one): a new verdict costs one step
 * @param stored the store's learned models (Store.topicModels): one that covers a topic's history
 *   is taken instead of retraining (learnHistory)
 * @example const topics = learnTopics(config.topics, await store.listVerdicts())
 */
export const learnTopics = (
  topics: readonly Topic[],
  verdicts: readonly Verdict[],
  opts: {
    only?: ReadonlySet<string>
    previous?: readonly Topic[]
    cache?: HistoryCache
    stored?: readonly StoredTopicModel[]
  } = {},
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
    const stored = opts.stored?.find((m) => m.topicId === t.id)
    const learned = learnHistory(t.id, t.model.base, byTopic.get(t.id) ?? [], {
      ...(opts.cache ? { cache: opts.cache } : {}),
      ...(stored ? { stored } : {}),
    })
    const { learned: _old, ...setting } = t.model
    return { ...t, model: learned ? { ...setting, learned } : setting }
  })
}
