/**
 * A group several topics repeat (a YAML anchor) is worked out once per item: the topics that
 * share it tag as they would each compiled alone, clause groups and `none` included.
 */
import { describe, expect, it } from 'vitest'
import type { MatchNode, Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import { explainItem } from '../../src/topics/explain.js'
import type { MatchableItem } from '../../src/topics/prepare.js'
import { tagItem } from '../../src/topics/tag.js'

const RELATION: MatchNode = {
  any: [
    {
      scope: 'clause',
      all: [
        { any: ['Pakistan', { source: ['pakistan'] }] },
        { any: ['Afghanistan', 'Afghan', 'Kabul'] },
        { any: ['accuses', 'refugees', 'trade', 'talks'] },
      ],
      none: ['quake'],
    },
  ],
}
const topic = (id: string, match: MatchNode): Topic => ({
  id,
  title: id,
  match,
  in: [...MATCH_FIELDS],
})
// what YAML gives for `*relation`: an equal copy in each topic
const copy = (): MatchNode => structuredClone(RELATION)
const TOPICS = [
  topic('relations', copy()),
  topic('trade', { all: [copy(), { any: ['trade', 'trucks'] }] }),
  topic('talks', { all: [copy(), { any: ['talks'] }] }),
  topic('not-quake', { all: [{ any: ['Pakistan'] }], none: [copy()] }),
]

const ITEMS: [MatchableItem, string[]][] = [
  [{ title: 'Pakistan, Afghanistan resume trade', categories: [] }, []],
  [{ title: 'Pakistan accuses Kabul', summary: 'Talks are off.', categories: [] }, []],
  [{ title: 'Pakistan, Afghanistan quake: talks on aid', categories: [] }, []],
  [{ title: 'Afghan traders resume trade and talks', categories: [] }, ['pakistan']],
  [{ title: 'Karachi shuts', categories: [] }, ['pakistan']],
].map(([item, tags]) => [item as MatchableItem, tags as string[]])

describe('shared groups', () => {
  const together = compileTopics(TOPICS)

  it('finds the repeated group (and only where topics repeat one)', () => {
    expect(together.sharedGroups).toBeGreaterThan(0)
    expect(compileTopics([TOPICS[0] as Topic]).sharedGroups).toBe(0)
  })

  it.each(ITEMS.map(([item, tags], i) => [i, item, tags] as const))(
    'item %i: the topics tag as each would alone, and explain agrees',
    (_i, item, tags) => {
      const alone = TOPICS.flatMap((t) => tagItem(item, compileTopics([t]), tags)).sort()
      expect(tagItem(item, together, tags).sort()).toEqual(alone)
      const explained = explainItem(item, together, tags)
      expect(
        Object.entries(explained)
          .filter(([, e]) => e.matched)
          .map(([id]) => id)
          .sort(),
      ).toEqual(alone)
    },
  )

  it('the cases cover both outcomes of the shared group', () => {
    const tagged = ITEMS.map(([item, tags]) => tagItem(item, together, tags))
    expect(tagged.some((t) => t.includes('relations'))).toBe(true)
    expect(tagged.some((t) => !t.includes('relations'))).toBe(true)
    expect(tagged.some((t) => t.includes('not-quake'))).toBe(true)
  })
})
