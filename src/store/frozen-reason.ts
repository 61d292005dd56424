/** frozenReason: a stored item's ClusterReason as a frozen object of one of two shared shapes. */
import type { ClusterReason } from '../model/types.js'

/**
 * A frozen copy of `r`, built as a literal. Freezing a spread or JSON-parsed copy gave each reason a
 * hidden class of its own once scores of both kinds (a whole 1 and a fraction) had been seen: V8
 * does not share the frozen class of a field whose representation changed, and a cold import kept
 * tens of thousands of such classes alive. A literal keeps the classes shared.
 * @example frozenReason({ via: 'similar', matchedId: 'a1', score: 1 }).score // 1
 */
export const frozenReason = (r: ClusterReason): ClusterReason =>
  r.score === undefined
    ? Object.freeze({ via: r.via, matchedId: r.matchedId })
    : Object.freeze({ via: r.via, matchedId: r.matchedId, score: r.score })
