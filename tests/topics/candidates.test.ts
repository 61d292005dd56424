/** Which topics tagging must evaluate on every item: those that can hold on a regex or a source term alone. */
import { describe, expect, it } from 'vitest'
import type { MatchNode, Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import { tagItem } from '../../src/topics/tag.js'

const topic = (id: string, match: MatchNode): Topic => ({
  id,
  title: id,
  match,
  in: [...MATCH_FIELDS],
})

describe('topic candidates', () => {
  it('a regex behind phrase terms in an "all" needs those phrases; a bare regex or source term does not', () => {
    const compiled = compileTopics([
      topic('gated', { all: ['Pak*', 'Afghan*', '/Pak-Afghan/i'] }),
      topic('bare', { any: ['Kabul', '/Pak-Afghan/i'] }),
      topic('source', { any: [{ source: ['pakistan'] }] }),
      topic('phrases', { any: ['Kabul'] }),
    ])
    expect(compiled.candidates.always).toEqual(['bare', 'source'])
    const item = { title: 'Pak-Afghan trade resumes', categories: [] }
    // the gated topic still matches when its phrases are there
    expect(tagItem(item, compiled, ['pakistan'])).toEqual(['bare', 'gated', 'source'])
    expect(tagItem({ title: 'Markets close higher', categories: [] }, compiled, [])).toEqual([])
  })

  it('prefix terms match every word they begin, however many share a first letter', () => {
    const compiled = compileTopics([
      topic('p', { any: ['deport*', 'depot*', 'de*'] }),
      topic('q', { any: ['deportation*'] }),
    ])
    expect(tagItem({ title: 'Deportations resume', categories: [] }, compiled, [])).toEqual([
      'p',
      'q',
    ])
    expect(tagItem({ title: 'Depots and delays', categories: [] }, compiled, [])).toEqual(['p'])
    expect(tagItem({ title: 'Dawn raid', categories: [] }, compiled, [])).toEqual([])
  })
})
