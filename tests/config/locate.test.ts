import { describe, expect, it } from 'vitest'
import { LineCounter, parseDocument } from 'yaml'
import {
  describeValue,
  fieldLabel,
  fillMessage,
  formatPath,
  locateProblem,
  sortIssues,
  unknownKeyMessage,
} from '../../src/config/locate.js'
import { suggestKey } from '../../src/config/plain-checks.js'

describe('paths and labels', () => {
  it.each([
    [[], ''],
    [['sources', 0, 'url'], 'sources[0].url'],
    [['topics', 'pak', 'match', 'any', 2], 'topics.pak.match.any[2]'],
  ])('formatPath(%j) is %j', (path, expected) => {
    expect(formatPath(path)).toBe(expected)
  })

  it.each([
    [['feeds', 0, 'limit'], '"limit"'],
    [['sources', 0, 'tags', 1], '"tags[1]"'],
    [['sources', 2], '"sources[2]"'],
    [[], 'the file'],
  ])('fieldLabel(%j) is %s', (path, expected) => {
    expect(fieldLabel(path)).toBe(expected)
  })

  it.each([
    ['abc', '"abc"'],
    [900, '900'],
    [false, 'false'],
    [null, 'nothing'],
    [['a', 1], '[a, 1]'],
    [[{ a: 1 }], 'a list'],
    [{ a: 1 }, 'a map'],
    ['x'.repeat(80), `"${'x'.repeat(57)}..."`],
  ])('describeValue(%j) is %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected)
  })

  it('fills {field}, {got} and {where}', () => {
    expect(fillMessage('{field} {where}, got {got}', ['feeds', 0, 'limit'], 900)).toBe(
      '"limit" in feeds[0], got 900',
    )
  })
})

describe('suggestions for unknown keys', () => {
  const keys = ['every', 'timeout', 'max_bytes', 'base_url', 'url']
  it.each([
    ['evry', 'every'],
    ['timout', 'timeout'],
    ['maxBytes', 'max_bytes'],
    ['BASE-URL', 'base_url'],
    ['uri', 'url'],
    ['colour', undefined],
  ])('%s → %s', (key, expected) => {
    expect(suggestKey(key, keys)).toBe(expected)
  })

  it('lists the allowed keys when nothing is close', () => {
    expect(unknownKeyMessage('zzz', 'in fetch', ['every', 'timeout'])).toBe(
      'unknown key "zzz" in fetch (allowed: every, timeout)',
    )
  })
})

describe('locateProblem', () => {
  const text =
    'server:\n  port: 1\nsources:\n  - url: x\n    tags: [a, b]\n  - &s { url: y }\n  - *s\n'
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  const at = (path: (string | number)[], where?: 'key' | 'value') => {
    const i = locateProblem(doc, lines, 'f.yaml', {
      path,
      message: 'm',
      ...(where ? { at: where } : {}),
    })
    return `${i.line}:${i.column} ${i.path}`
  }

  it.each([
    [['server', 'port'], undefined, '2:9 server.port'],
    [['server', 'port'], 'key', '2:3 server.port'],
    [['sources', 0, 'tags', 1], undefined, '5:15 sources[0].tags[1]'],
    [['sources', 0, 'title'], undefined, '4:5 sources[0].title'],
    [['sources', 2, 'url'], undefined, '6:15 sources[2].url'],
    [['nowhere', 'deep'], undefined, '1:1 nowhere.deep'],
  ] as const)('%j (%s) is at %s', (path, where, expected) => {
    expect(at([...path], where)).toBe(expected)
  })

  it('sorts issues by position, keeping the order of equal ones', () => {
    const issue = (line: number, column: number, message: string) => ({
      file: 'f',
      line,
      column,
      path: '',
      message,
    })
    expect(
      sortIssues([issue(3, 1, 'c'), issue(1, 5, 'b'), issue(1, 2, 'a'), issue(3, 1, 'd')]).map(
        (i) => i.message,
      ),
    ).toEqual(['a', 'b', 'c', 'd'])
  })
})
