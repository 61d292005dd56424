/** The reverse index phrase → topics, so tagging evaluates only topics sharing a word with the item. */
import type { CompiledNode, CompiledTopic, TopicCandidates } from './compiled.js'

/** Whether the tree can hold with no phrase of the item found (a `source` leaf may hold alone). */
const holdsWithoutHits = (n: CompiledNode, t: CompiledTopic): boolean =>
  n.kind === 'leaf'
    ? t.leaves[n.leaf]?.term.kind === 'source' && t.leaves[n.leaf]?.negated === false
    : (n.any?.some((c) => holdsWithoutHits(c, t)) ?? true) &&
      (n.all?.every((c) => holdsWithoutHits(c, t)) ?? true)

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
    if (modelAlone || holdsWithoutHits(t.root, t) || t.leaves.some((l) => l.term.kind === 'regex'))
      always.push(t.id)
    for (const id of ids) {
      const list = byPhrase.get(id)
      if (list) list.push(t.id)
      else byPhrase.set(id, [t.id])
    }
  }
  return { byPhrase, always }
}
