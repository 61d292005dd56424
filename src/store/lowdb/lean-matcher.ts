/** The `q` test over lean items: their distinct words decide most terms; the whole text, read from disk, decides the rest. */
import type { Item, SearchTerms } from '../../model/types.js'
import { normalizeText } from '../../topics/text.js'
import { mayHave, probeOf, type WordProbe } from '../../topics/word-filter.js'
import { compileTerms, searchTextOf } from '../query.js'

const probes = (term: string): WordProbe[] =>
  normalizeText(term)
    .split(' ')
    .filter((w) => w !== '')
    .map(probeOf)

/**
 * Compiles `terms` into the same answers as {@link compileTerms} on {@link searchTextOf}, given
 * each item's word filter (lean-item.ts `wordsOf`). An item whose filter lacks a word of an
 * included term fails; one whose filter lacks every excluded term (and that has no included or
 * field-scoped term) passes; any other is checked on its whole text, whose {@link searchTextOf} `textOf` gives (from disk).
 * @example createLeanMatcher(filters.get, (i) => searchTextOf(readWhole(i)))({ include: ['torkham'], exclude: [] })(item)
 */
export const createLeanMatcher =
  (wordsOf: (item: Item) => string | undefined, textOf: (item: Item) => string) =>
  (terms: SearchTerms): ((item: Item) => boolean) => {
    const exact = compileTerms(terms)
    const scoped = terms.scoped ?? []
    const required = [
      ...terms.include,
      ...scoped.filter((s) => !s.exclude).map((s) => s.term),
    ].flatMap(probes)
    const exclude = [...terms.exclude, ...scoped.filter((s) => s.exclude).map((s) => s.term)]
      .map(probes)
      .filter((ws) => ws.length > 0)
    const check = required.length > 0 || scoped.length > 0
    return (item) => {
      const filter = wordsOf(item)
      if (filter === undefined) return exact(textOf(item))
      for (const p of required) if (!mayHave(filter, p)) return false
      const maybeExcluded = exclude.some((ps) => ps.every((p) => mayHave(filter, p)))
      return check || maybeExcluded ? exact(textOf(item)) : true
    }
  }
