/** yamlData: a document's data in one pass, aliases sharing their anchor's value, empty keys left out. */

import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { yamlData } from '../../src/config/yaml-data.js'

const dataOf = (text: string) => yamlData(parseDocument(text))

describe('yamlData', () => {
  it('gives what yaml toJS gives, keys with an empty value left out', () => {
    const text = 'a: 1\nb: [x, 2.5, true, null]\nc:\nd: { e: ~, f: "" }\n1: one\n'
    expect(dataOf(text)).toEqual({ a: 1, b: ['x', 2.5, true, null], d: { f: '' }, 1: 'one' })
    expect(Object.keys(dataOf('x: 1\ny: 2\n') as object)).toEqual(['x', 'y'])
  })

  it('gives every alias its anchor value itself, once however often it is reused', () => {
    const data = dataOf(
      'list: &l [Torkham, { any: [a, b] }]\nt1: { any: *l }\nt2: { all: [*l, *l] }\nname: &n Kabul\nn: *n\n',
    ) as Record<string, unknown> & { t1: { any: unknown }; t2: { all: unknown[] } }
    expect(data.t1.any).toBe(data.list)
    expect(data.t2.all[0]).toBe(data.list)
    expect(data.t2.all[1]).toBe(data.list)
    expect(data.n).toBe('Kabul')
  })

  it('an alias names the last anchor of its name before it', () => {
    expect(dataOf('a: &x 1\nb: *x\nc: &x 2\nd: *x\n')).toEqual({ a: 1, b: 1, c: 2, d: 2 })
  })

  it('keeps a __proto__ key an own property, never the prototype', () => {
    const data = dataOf('__proto__: { polluted: true }\nok: 1\n') as Record<string, unknown>
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype)
    expect((data as { polluted?: boolean }).polluted).toBeUndefined()
    expect(Object.keys(data)).toEqual(['__proto__', 'ok'])
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ polluted: true })
  })

  it('an empty document is null', () => {
    expect(dataOf('# nothing\n')).toBeNull()
  })
})
