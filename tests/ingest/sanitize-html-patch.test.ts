/**
 * patches/sanitize-html+2.17.0.patch (applied by `npm ci` through patch-package): sanitize-html's
 * Frame is one constructor for every call instead of a new one per call. These tests fail when the
 * patch is not applied, and check that frames still carry what sanitize-html's own options read.
 */
import sanitize from 'sanitize-html'
import { describe, expect, it } from 'vitest'

type Frame = sanitize.IFrame & { constructor: unknown }

const framesOf = (html: string): Frame[] => {
  const frames: Frame[] = []
  sanitize(html, {
    allowedTags: ['p', 'b', 'img', 'div'],
    exclusiveFilter: (frame) => {
      frames.push(frame as Frame)
      return false
    },
  })
  return frames
}

describe('sanitize-html, as patched', () => {
  it('builds the frames of every call with one constructor', () => {
    const a = framesOf('<p>one</p>')
    const b = framesOf('<div><b>two</b></div>')
    const constructors = new Set([...a, ...b].map((f) => f.constructor))
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(2)
    expect(constructors.size).toBe(1)
  })

  it('still gives each frame its tag, text and inner media (its methods now on the prototype)', () => {
    // Frames reach exclusiveFilter as their tags close: innermost first.
    const [b, img, p] = framesOf(
      '<p>Talks <b>resume</b> in Doha<img src="https://e.org/a.jpg"></p>',
    )
    expect([b?.tag, img?.tag, p?.tag]).toEqual(['b', 'img', 'p'])
    expect(b?.text).toBe('resume')
    expect(p?.text).toBe('Talks resume in Doha')
    expect(p?.mediaChildren).toEqual(['img'])
    expect(p?.tagPosition).toBe(0)
    expect(Object.keys(p ?? {})).toEqual([
      'tag',
      'attribs',
      'tagPosition',
      'text',
      'openingTagLength',
      'mediaChildren',
    ])
  })

  it('removes what exclusiveFilter turns down, and keeps the rest', () => {
    const out = sanitize('<p>keep</p><div>drop <b>me</b></div><p>also</p>', {
      allowedTags: ['p', 'b', 'div'],
      exclusiveFilter: (frame) => frame.text === 'me',
    })
    expect(out).toBe('<p>keep</p><div>drop </div><p>also</p>')
  })
})
