/** Random HTML fragments of a given shape, for tests that hold a fast path equal to the library it skips. */

/** One element of `xs`, chosen by `rnd`. */
export type Pick = <T>(xs: readonly T[]) => T

/** What a fragment is made of, and how often. */
export interface FragmentShape {
  /** Text pieces, taken with chance `textShare`; odd ones (entities, stray `<`…) with `oddTextShare`. */
  text: readonly string[]
  oddText: readonly string[]
  textShare: number
  oddTextShare: number
  /** Tag names; odd ones with chance `oddTagShare`. */
  tags: readonly string[]
  oddTags: readonly string[]
  oddTagShare: number
  /** One attribute (with its leading space), added while `rnd() < attributeChance`. */
  attribute: (rnd: () => number, pick: Pick) => string
  attributeChance: number
  /** Chance of a space before a closing tag's `>`. */
  closingSpace: number
  /** How an opening tag ends, each tried in turn with its chance; else `>`. */
  ends: readonly (readonly [string, number])[]
}

/**
 * Random HTML of 1–14 pieces (text, opening and closing tags), mostly of the plain form `shape`
 * describes, sometimes with something that is not.
 * @example randomFragment(mulberry32(1), shape) // '<p title="x">Torkham</b>'
 */
export const randomFragment = (rnd: () => number, shape: FragmentShape): string => {
  const pick: Pick = (xs) => xs[Math.floor(rnd() * xs.length)] as (typeof xs)[number]
  let out = ''
  const parts = 1 + Math.floor(rnd() * 14)
  for (let k = 0; k < parts; k++) {
    const r = rnd()
    if (r < shape.textShare) out += pick(shape.text)
    else if (r < shape.textShare + shape.oddTextShare) out += pick(shape.oddText)
    else {
      const name = rnd() < shape.oddTagShare ? pick(shape.oddTags) : pick(shape.tags)
      if (rnd() < 0.4) {
        out += `</${name}${rnd() < shape.closingSpace ? ' ' : ''}>`
        continue
      }
      let attrs = ''
      while (rnd() < shape.attributeChance) attrs += shape.attribute(rnd, pick)
      const end = shape.ends.find(([, chance]) => rnd() < chance)?.[0] ?? '>'
      out += `<${name}${attrs}${end}`
    }
  }
  return out
}

/**
 * Character references: the plain forms the fast paths of sanitize.ts decode themselves (named,
 * decimal, hex) and their near misses, left to htmlparser2 or sanitize-html (no `;`, unknown
 * names, code points HTML repairs).
 */
export const CHARACTER_REFERENCES: readonly string[] = [
  '&amp;',
  '&lt;',
  '&gt;',
  '&quot;',
  '&apos;',
  '&nbsp;',
  '&rsquo;',
  '&ldquo;',
  '&rdquo;',
  '&ndash;',
  '&mdash;',
  '&hellip;',
  '&#8217;',
  '&#x2019;',
  '&#X201C;',
  '&#38;',
  '&#039;',
  '&#x1F600;',
  '&#1114111;',
  '&#1114112;',
  '&#0;',
  '&#9;',
  '&#13;',
  '&#31;',
  '&#127;',
  '&#128;',
  '&#150;',
  '&#xD800;',
  '&#xDFFF;',
  '&#xE000;',
  '&#99999999;',
  '&#;',
  '&#x;',
  '&#xG;',
  '&amp',
  '&copy',
  '&copy;',
  '&AMP;',
  '&ampx;',
  '&;',
  '&',
  '& ',
  '&#',
  'AT&T',
]
