/** echo: untrusted input quoted and clipped for error messages. */
import { describe, expect, it } from 'vitest'
import { ECHO_MAX, echo } from '../../src/util/echo.js'

describe('echo', () => {
  it('quotes short input whole, escaping control characters', () => {
    expect(echo('kabul')).toBe('"kabul"')
    expect(echo('a\nb"')).toBe('"a\\nb\\""')
    expect(echo('x'.repeat(ECHO_MAX))).toBe(`"${'x'.repeat(ECHO_MAX)}"`)
  })

  it('cuts longer input to 57 characters and an ellipsis', () => {
    expect(echo('x'.repeat(16_000))).toBe(`"${'x'.repeat(57)}…"`)
  })
})
