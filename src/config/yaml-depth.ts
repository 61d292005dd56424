/** How deep a YAML text's maps and lists nest, read from yaml's syntax tokens without recursion, so that a hostile file is refused before anything recurses on it. */
import type { CST } from 'yaml'

/**
 * Maps and lists a configuration may nest: the deepest rule trees people write are a dozen
 * levels. yaml's composer and the rule reader recurse per level; past a few hundred levels
 * they would run out of stack, so a file nested past this is refused with its place instead.
 */
export const MAX_YAML_DEPTH = 64

/**
 * The offset of the first map or list nested deeper than `max` in `tokens` (yaml's `Parser`
 * output), or undefined. An explicit stack: the walk costs one step per token whatever the depth.
 * @example tooDeepAt([...new Parser().parse('a: [[[1]]]')], 2) // 5 (the third `[`)
 */
export const tooDeepAt = (
  tokens: readonly CST.Token[],
  max = MAX_YAML_DEPTH,
): number | undefined => {
  // pushed last to first, so that tokens are visited in document order
  const stack = tokens.map((token) => ({ token, depth: 0 })).reverse()
  for (;;) {
    const next = stack.pop()
    if (next === undefined) return undefined
    const { token, depth } = next
    if (token.type === 'document') {
      if (token.value) stack.push({ token: token.value, depth })
      continue
    }
    if (
      token.type !== 'block-map' &&
      token.type !== 'block-seq' &&
      token.type !== 'flow-collection'
    )
      continue
    if (depth + 1 > max) return token.offset
    const items: readonly CST.CollectionItem[] = token.items
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]
      if (item?.value) stack.push({ token: item.value, depth: depth + 1 })
      if (item?.key) stack.push({ token: item.key, depth: depth + 1 })
    }
  }
}
