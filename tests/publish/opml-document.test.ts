import { parseOpml } from 'feedsmith'
import { describe, expect, it } from 'vitest'
import { renderOpmlDocument } from '../../src/publish/opml-document.js'

describe('renderOpmlDocument', () => {
  it('writes OPML 2.0 that an OPML parser reads back, nesting and attributes included', async () => {
    const xml = await renderOpmlDocument(
      { title: 'T & "U"', docs: 'https://opml.org/spec2.opml' },
      [
        {
          text: 'Group <1>',
          title: 'Group <1>',
          outlines: [
            { text: 'A "quoted" & <b>', type: 'rss', xmlUrl: 'https://a.example/f?x=1&y=2' },
            { text: 'Two\nlines\tand a tab', type: 'rss', xmlUrl: 'https://b.example/' },
          ],
        },
        { text: 'No feeds', isComment: true },
      ],
    )
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<opml version="2.0">/)
    const doc = parseOpml(xml)
    expect(doc.head?.title).toBe('T & "U"')
    const [group, comment] = doc.body?.outlines ?? []
    expect(group?.text).toBe('Group <1>')
    expect(group?.outlines?.map((o) => [o.text, o.xmlUrl])).toEqual([
      ['A "quoted" & <b>', 'https://a.example/f?x=1&y=2'],
      ['Two\nlines\tand a tab', 'https://b.example/'],
    ])
    expect(comment?.isComment).toBe(true)
  })

  it('drops characters XML forbids instead of writing a document no reader opens', async () => {
    const xml = await renderOpmlDocument({ title: 'a\u0001b' }, [{ text: 'c\u0000d\uFFFE' }])
    expect(xml).toContain('<title>ab</title>')
    expect(xml).toContain('<outline text="cd"/>')
  })
})
