/** The reverse index phrase → topics, so tagging evaluates only topics sharing a word with the item. */
import type { CompiledNode, CompiledTopic, TopicCandidates } from './compiled.js'

/**
 * Whether the tree can hold with no phrase of the item found: a `source` leaf or a regular
 * expression may hold alone, a phrase or `near` leaf not. A regex beside phrase terms in an `all`
 * then costs nothing on items without those phrases (the topic is not a candidate).
 */
const holdsWithoutHits = (n: CompiledNode, t: CompiledTopic): boolean => {
  if (n.kind === 'group')
    return (
      (n.any?.some((c) => holdsWithoutHits(c, t)) ?? true) &&
      (n.all?.every((c) => holdsWithoutHits(c, t)) ?? true)
    )
  const leaf = t.leaves[n.leaf]
  return (leaf?.term.kind === 'source' || leaf?.term.kind === 'regex') && leaf.negated === false
}

/** Reverse index phrase → topics, so tagging evaluates only topics sharing a word with the item. */
export const buildTopicCandidates = (topics: Iterable<CompiledTopic>): TopicCandidates => {
  const byPhrase = new Map<number, string[]>()
  const always: string[] = []
  for (const t of topics) {
    const ids = new Set<number>()
    for (const { term } of t.leaves) {
      if (term.kind === 'phrase') ids.add(term.phrase.id)
      if (term.kind === 'near') for (const p of term.parts) ids.add(p.id)
    }
    const modelAlone = t.model?.mode === 'alone' && t.model.learned !== undefined
    if (modelAlone || holdsWithoutHits(t.root, t)) always.push(t.id)
    for (const id of ids) {
      const list = byPhrase.get(id)
      if (list) list.push(t.id)
      else byPhrase.set(id, [t.id])
    }
  }
  return { byPhrase, always }
}
