import { describe, expect, it } from 'vitest'
import type { MatchNode, Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import {
  compileTopics,
  formatRulePath,
  RuleError,
  TopicRulesError,
} from '../../src/topics/compile.js'
import type { CompiledNode } from '../../src/topics/compiled.js'

const topic = (id: string, match: MatchNode, extra: Partial<Topic> = {}): Topic => ({
  id,
  title: id,
  match,
  in: [...MATCH_FIELDS],
  ...extra,
})

/** Rule shapes the type forbids but a hand-built Topic could still carry. */
const loose = (node: unknown): MatchNode => node as MatchNode

const errorsOf = (topics: Topic[]): TopicRulesError => {
  try {
    compileTopics(topics)
  } catch (e) {
    if (e instanceof TopicRulesError) return e
    throw e
  }
  throw new Error('expected compileTopics to throw')
}

describe('compileTopics', () => {
  it('compiles valid rules, sorts ids and shares phrases across topics', () => {
    const compiled = compileTopics([
      topic('zeta', { any: ['Kabul', 'Durand Line'] }),
      topic('alpha', { all: ['Kabul', { near: ['Torkham', 'trade'], within: 5 }] }),
    ])
    expect(compiled.ids).toEqual(['alpha', 'zeta'])
    expect(compiled.index.byFirstToken.get('kabul')).toHaveLength(1)
    expect(compiled.index.byFirstToken.get('durand')?.[0]?.tokens).toEqual(['durand', 'line'])
  })

  it('limits the prepared fields to those some term looks at', () => {
    const compiled = compileTopics([
      topic('a', 'Kabul', { in: ['title'] }),
      topic('b', 'categories:Kabul', { in: ['summary'] }),
    ])
    expect(compiled.fields).toEqual(['title', 'categories'])
  })

  it.each([
    ['Tehrik-i-Taliban', 'a hyphenated name'],
    ['TTP: attack', 'a colon followed by a space'],
    ['Operation Zarb-e-Azb: phase two', 'a capitalised word before a colon'],
    ['https://dawn.com', 'a URL'],
    ['Title:Chaman', 'a field name in another case'],
    ['title: Chaman', 'a field scope with a space'],
    ['title:/chaman/i', 'a scoped regular expression'],
    ['content:"Durand Line"', 'a scoped phrase'],
    ['Afghan*', 'a prefix'],
    ['Tehrik-i-Tal*', 'a phrase ending in a prefix'],
    ['/transit\\s+trade/imsu', 'every allowed flag'],
  ])('accepts %s (%s)', (term) => {
    expect(() => compileTopics([topic('t', { any: [term] })])).not.toThrow()
  })

  it.each<[string, MatchNode, (string | number)[], string]>([
    [
      'unknown field',
      'headline:Taliban',
      [],
      'unknown field "headline" in "headline:Taliban" (use title, summary, content or categories)',
    ],
    [
      'invalid regex',
      { any: ['Kabul', '/(/'] },
      ['any', 1],
      'the regular expression /(/ is not valid: missing closing )',
    ],
    [
      'unsupported regex feature',
      { any: ['/Kabul(?=talks)/'] },
      ['any', 0],
      'the regular expression /Kabul(?=talks)/ is not valid: invalid or unsupported Perl syntax',
    ],
    [
      'unsupported flag',
      { all: ['/kabul/g'] },
      ['all', 0],
      'the regular expression /kabul/g uses the flag "g", which is not supported (use i, m, s or u)',
    ],
    [
      'missing closing slash',
      { all: ['/kabul'] },
      ['all', 0],
      'the regular expression /kabul has no closing slash (write /pattern/ or /pattern/i)',
    ],
    ['empty regex', { all: ['//i'] }, ['all', 0], 'the regular expression //i is empty'],
    ['empty any', { any: [] }, ['any'], 'an "any" group needs at least one term'],
    ['empty none', { any: ['x'], none: [] }, ['none'], 'a "none" group needs at least one term'],
    [
      'group without operator',
      { in: ['title'] },
      [],
      'a group needs "any", "all" or "none" with a list of terms',
    ],
    [
      'unknown group key',
      loose({ any: ['x'], anyy: ['y'] }),
      ['anyy'],
      'unknown key "anyy" in a group (use any, all, none or in)',
    ],
    [
      'unknown field in in',
      loose({ in: ['title', 'headline'], any: ['x'] }),
      ['in', 1],
      'unknown field "headline" (use title, summary, content or categories)',
    ],
    ['empty in', { in: [], any: ['x'] }, ['in'], '"in" needs at least one field'],
    [
      'near with one term',
      { all: [{ near: ['Torkham'], within: 3 }] },
      ['all', 0, 'near'],
      '"near" needs at least two terms',
    ],
    [
      'near with a regex',
      { all: ['x', { near: ['Torkham', '/trade/'], within: 3 }] },
      ['all', 1, 'near', 1],
      'a "near" term cannot be a regular expression (/trade/)',
    ],
    [
      'near with a field scope',
      { all: [{ near: ['title:Torkham', 'trade'], within: 3 }] },
      ['all', 0, 'near', 0],
      'a "near" term cannot name a field (title:Torkham); put the near in a group with "in: [title]"',
    ],
    [
      'near within 0',
      { any: [{ near: ['a', 'b'], within: 0 }] },
      ['any', 0, 'within'],
      '"within" must be a whole number of words, 1 or more',
    ],
    [
      'weight not a number',
      { any: [{ term: 'Kabul', weight: Number.NaN }] },
      ['any', 0, 'weight'],
      '"weight" must be a number',
    ],
    [
      'weighted term with unknown field',
      { any: [{ term: 'headline:Kabul', weight: 2 }] },
      ['any', 0, 'term'],
      'unknown field "headline" in "headline:Kabul" (use title, summary, content or categories)',
    ],
    [
      'star in the middle',
      { any: ['Af*han'] },
      ['any', 0],
      'a * is only allowed at the end of a term, as in Afghan* (in "Af*han")',
    ],
    [
      'star after a space',
      { any: ['Afghan *'] },
      ['any', 0],
      'put the * right after the letters it extends, as in Afghan* (in "Afghan *")',
    ],
    ['no letters', { any: ['—!'] }, ['any', 0], 'the term "—!" has no letters or digits to match'],
    [
      'empty term',
      { any: ['  '] },
      ['any', 0],
      'an empty term matches nothing; write a word or phrase',
    ],
    [
      'field scope without term',
      { any: ['title:'] },
      ['any', 0],
      '"title:" names the field title but no term after the colon',
    ],
    [
      'deeply nested',
      { all: [{ any: ['x', { none: ['summary:y', 'bogus:z'] }] }] },
      ['all', 0, 'any', 1, 'none', 1],
      'unknown field "bogus" in "bogus:z" (use title, summary, content or categories)',
    ],
    [
      'not a rule',
      loose({ any: [42] }),
      ['any', 0],
      'a rule must be a term or a group (any, all, none)',
    ],
  ])('reports %s with its path', (_name, match, path, message) => {
    const err = errorsOf([topic('t', match)])
    expect(err.errors).toHaveLength(1)
    const [first] = err.errors
    expect(first?.topicId).toBe('t')
    expect(first?.error).toBeInstanceOf(RuleError)
    expect(first?.error.path).toEqual(path)
    expect(first?.error.message).toBe(message)
  })

  it('collects every error of every topic before throwing', () => {
    const err = errorsOf([
      topic('ok', 'Kabul'),
      topic('first', { any: ['headline:Taliban', '/(/'], all: [] }),
      topic('second', { none: [{ near: ['a'], within: 2 }] }),
    ])
    expect(err.errors.map((e) => [e.topicId, e.error.path])).toEqual([
      ['first', ['any', 0]],
      ['first', ['any', 1]],
      ['first', ['all']],
      ['second', ['none', 0, 'near']],
    ])
    expect(err.code).toBe('config')
    expect(err.message).toContain('topic "first" at match.any[1]: the regular expression /(/')
    expect(err.message).toContain('topic "second" at match.none[0].near:')
  })

  it('rejects a topic id used twice', () => {
    const err = errorsOf([topic('dup', 'a'), topic('dup', 'b')])
    expect(err.errors).toEqual([
      {
        topicId: 'dup',
        error: expect.objectContaining({ message: 'this topic id is used twice' }),
      },
    ])
  })
})

describe('compileTopics: a group repeated in several places', () => {
  // what YAML gives for an anchor used in several topics: an equal copy in each
  const relation = (): MatchNode => ({
    any: [
      {
        scope: 'clause',
        all: [{ any: ['Pakistan', 'Islamabad'] }, { any: ['Afghanistan', 'Kabul'] }],
        none: [{ any: ['quake', { near: ['near', 'border'], within: 3 }] }],
      },
      { all: ['title:Torkham', { term: 'trade', weight: 2 }] },
    ],
  })
  const topics = () => [
    topic('relations', relation()),
    // the same group after other leaves, deeper, twice in one topic and under a `none`
    topic('trade', { all: [{ any: ['trucks', 'customs'] }, relation(), { any: [relation()] }] }),
    topic('not-relations', { all: ['Pakistan'], none: [relation()] }),
  ]
  /**
   * A compiled topic as plain data, without what depends on the other topics compiled with it:
   * shared slots and phrase ids (and the gate, which lists phrase ids).
   */
  const plain = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value, (key, v) =>
        key === 'shared' || key === 'id' || key === 'gate'
          ? undefined
          : v instanceof Int32Array
            ? [...v]
            : v,
      ),
    )

  it('compiles each place as the topic compiled alone does: leaves, tree and clause paths', () => {
    const together = compileTopics(topics())
    for (const t of topics()) {
      const alone = compileTopics([t]).topics.get(t.id)
      expect(plain(together.topics.get(t.id))).toEqual(plain(alone))
    }
    const trade = together.topics.get('trade')
    const paths: string[] = []
    const walk = (n: CompiledNode | undefined) => {
      if (n?.kind !== 'group') return
      if (n.scope) paths.push(n.scope.path)
      for (const c of [...(n.any ?? []), ...(n.all ?? []), ...(n.none ?? [])]) walk(c)
    }
    walk(trade?.root)
    expect(paths).toEqual(['match.all[1].any[0]', 'match.all[2].any[0].any[0]'])
    // the copy under `none` has every leaf's negation flipped from the topic that is the group
    const negated = (id: string, from: number) =>
      together.topics
        .get(id)
        ?.leaves.slice(from)
        .map((l) => l.negated)
    expect(negated('not-relations', 1)).toEqual(negated('relations', 0)?.map((n) => !n))
    expect(negated('relations', 0)).toContain(true)
  })

  it('shares every copy of the group: one slot for all of them', () => {
    const together = compileTopics(topics())
    const slots = new Set<number | undefined>()
    for (const t of together.topics.values()) {
      const first = t.root.kind === 'group' ? t.root : undefined
      const copy = t.id === 'relations' ? first : (first?.all?.[1] ?? first?.none?.[0])
      slots.add(copy?.kind === 'group' ? copy.shared : -1)
    }
    expect(slots.size).toBe(1)
    expect([...slots][0]).toBeTypeOf('number')
  })

  it('keeps apart groups that differ in a nested value', () => {
    const near = (within: number): MatchNode => ({ any: [{ near: ['Torkham', 'trade'], within }] })
    const compiled = compileTopics([
      topic('a', near(3)),
      topic('b', { all: ['customs', near(4)] }),
      topic('c', { all: ['customs', { any: [near(3)] }] }),
    ])
    const labels = (id: string) => compiled.topics.get(id)?.leaves.map((l) => l.term.label)
    expect(labels('a')).toEqual(['near: [Torkham, trade] within 3'])
    expect(labels('b')).toEqual(['customs', 'near: [Torkham, trade] within 4'])
    expect(labels('c')).toEqual(['customs', 'near: [Torkham, trade] within 3'])
  })

  it('reports an error in a repeated group at every place it is written', () => {
    const broken = (): MatchNode => ({ any: ['Kabul', '/(/'], all: [] })
    const err = errorsOf([
      topic('a', broken()),
      topic('b', { all: ['customs', broken()] }),
      topic('c', { any: [{ any: ['Kabul', '/(/'], all: [] }, 'x'] }),
    ])
    expect(err.errors.map((e) => [e.topicId, formatRulePath(e.error.path)])).toEqual([
      ['a', 'match.any[1]'],
      ['a', 'match.all'],
      ['b', 'match.all[1].any[1]'],
      ['b', 'match.all[1].all'],
      ['c', 'match.any[0].any[1]'],
      ['c', 'match.any[0].all'],
    ])
  })
})

describe('formatRulePath', () => {
  it.each<[(string | number)[], string]>([
    [[], 'match'],
    [['any', 2], 'match.any[2]'],
    [['all', 0, 'near', 1], 'match.all[0].near[1]'],
  ])('%j → %s', (path, expected) => {
    expect(formatRulePath(path)).toBe(expected)
  })
})
