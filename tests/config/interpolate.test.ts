// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are YAML with ${VAR} references, not templates
import { describe, expect, it } from 'vitest'
import { LineCounter, parseDocument } from 'yaml'
import { interpolateDocument } from '../../src/config/interpolate.js'

/** Interpolates `text` and returns the resulting data and problems (offsets as line:col). */
const run = (text: string, env: Record<string, string | undefined> = {}) => {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  const problems = interpolateDocument(doc, text, env).map((p) => {
    const { line, col } = lines.linePos(p.offset ?? 0)
    return { at: `${line}:${col}`, path: p.path.join('.'), message: p.message }
  })
  return { data: doc.toJS() as unknown, problems }
}

describe('interpolateDocument', () => {
  it.each([
    ['v: ${A}', { A: 'x' }, { v: 'x' }],
    ['v: ${A:-d}', {}, { v: 'd' }],
    ['v: ${A:-d}', { A: '' }, { v: 'd' }],
    ['v: ${A:-d}', { A: 'set' }, { v: 'set' }],
    ['v: ${A}', { A: '' }, { v: null }],
    ['v: ${A:-}', {}, { v: null }],
    ['v: "${A:-}"', {}, { v: '' }],
    ['v: ${PORT:-8080}', {}, { v: 8080 }],
    ['v: "${PORT:-8080}"', {}, { v: '8080' }],
    ['v: ${T}', { T: '0123' }, { v: '0123' }],
    ['v: ${B}', { B: 'false' }, { v: false }],
    ['v: http://h:${P:-1}/x', {}, { v: 'http://h:1/x' }],
    ['v: $${A} and ${A}', { A: 'a' }, { v: '${A} and a' }],
    ['v: ${A:-x:-y}', {}, { v: 'x:-y' }],
    ['v: ${A}', { A: 'p#ss: word\n*x' }, { v: 'p#ss: word\n*x' }],
    ['l: ["${A}", b]', { A: 'a' }, { l: ['a', 'b'] }],
    ['${K}: v', {}, { '${K}': 'v' }],
    ['v: x # ${NOT_READ}', {}, { v: 'x' }],
  ])('%s with %o', (text, env, expected) => {
    const { data, problems } = run(text, env)
    expect(problems).toEqual([])
    expect(data).toEqual(expected)
  })

  it('reports each unset variable at its "${", with the path of its value', () => {
    const { problems } = run('a:\n  b: [x, "${ONE} ${TWO:-2} ${THREE}"]\n')
    expect(problems).toEqual([
      {
        at: '2:11',
        path: 'a.b.1',
        message:
          'environment variable ONE is not set and has no default (write ${ONE:-…} to give one)',
      },
      {
        at: '2:28',
        path: 'a.b.1',
        message:
          'environment variable THREE is not set and has no default (write ${THREE:-…} to give one)',
      },
    ])
  })

  it.each(['v: ${', 'v: ${1A}', 'v: ${A B}', 'v: ${A:default}'])(
    'rejects the malformed %s',
    (text) => {
      const { problems } = run(text)
      expect(problems).toHaveLength(1)
      expect(problems[0]?.at).toBe('1:4')
      expect(problems[0]?.message).toMatch(/^"\$\{" starts an environment variable/)
    },
  )
})
