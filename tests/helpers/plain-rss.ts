/** A plain RSS document of our own with the shapes feeds use, and random damage to it, for the XML readers' property tests. */

/** Two items with CDATA, character and entity references, attributes, a namespace and an enclosure. */
export const PLAIN_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire &amp; Co</title><link>https://e.test/</link>
<item><title>Talks &#8212; &#x4E2D; resume</title><link>https://e.test/1?a=1&amp;b=2</link><guid isPermaLink='false'>g-1</guid>
<description><![CDATA[<p>Trade <a href="/x">resumed</a> &amp; more</p>]]></description><dc:creator>A &lt;B&gt;</dc:creator>
<enclosure url="https://e.test/a.mp3" length="5" type="audio/mpeg"/></item>
<item><title>Second</title><description>plain &quot;text&quot; &apos;here&apos;</description></item>
</channel></rss>
`

/**
 * `xml` with one to three of `pieces` inserted at random places, each replacing up to three
 * characters one time in four.
 * @example const next = seeded(21); mutated(PLAIN_RSS, ['<', '&amp;'], next)
 */
export const mutated = (xml: string, pieces: readonly string[], next: () => number): string => {
  let out = xml
  for (let m = 1 + (next() % 3); m > 0; m--) {
    const at = next() % out.length
    const cut = next() % 4 === 0 ? 1 + (next() % 3) : 0
    out = out.slice(0, at) + (pieces[next() % pieces.length] as string) + out.slice(at + cut)
  }
  return out
}
