/** Bounds what a file's aliases expand to before its data is built: cycles and runaway reuse are refused, in time linear in the file. */
import { type Document, isAlias, isCollection, isMap, isNode, type Node as YamlNode } from 'yaml'
import type { Problem } from './locate.js'

/**
 * Values (scalars and collections) the data of a file may hold once every alias is expanded. The
 * shipped configuration, whose topics reuse many anchored lists, expands to a few thousand.
 */
export const MAX_EXPANDED_VALUES = 100_000

const childrenOf = (node: YamlNode): YamlNode[] => {
  if (!isCollection(node)) return []
  const kids: unknown[] = isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : node.items
  return kids.filter((k): k is YamlNode => isNode(k))
}

/**
 * The first alias that would make the data endless (an alias inside the value of its own anchor)
 * or too large (over {@link MAX_EXPANDED_VALUES} values expanded). Run on a document whose
 * aliases all name an anchor written before them.
 *
 * One walk in document order, with a stack rather than recursion: an alias refers to the last
 * anchor of its name before it, so the value it names is either finished (its expanded size
 * known) or still open around it (a cycle). yaml's own `maxAliasCount` check re-walks the
 * anchored value for every alias and recurses without end on a cycle.
 * @example aliasProblem(parseDocument('a: &a [*a]'))?.message // '"*a" is inside the value …'
 */
export const aliasProblem = (doc: Document): Problem | undefined => {
  const root = doc.contents
  if (!isNode(root)) return undefined
  const anchors = new Map<string, YamlNode>()
  const sizes = new Map<YamlNode, number>()
  const open = new Set<YamlNode>()
  const stack: { node: YamlNode; exit: boolean }[] = [{ node: root, exit: false }]
  const tooLarge = (node: YamlNode): Problem => ({
    path: [],
    offset: node.range?.[0] ?? 0,
    message: `the file's aliases expand its data to more than ${MAX_EXPANDED_VALUES} values; reuse fewer anchors, or fewer times`,
  })
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { node, exit } = top
    if (exit) {
      let size = 1
      for (const kid of childrenOf(node)) size += sizes.get(kid) ?? 1
      open.delete(node)
      sizes.set(node, size)
      if (size > MAX_EXPANDED_VALUES) return tooLarge(node)
      continue
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source)
      if (target !== undefined && open.has(target))
        return {
          path: [],
          offset: node.range?.[0] ?? 0,
          message: `"*${node.source}" is inside the value of &${node.source}, which would then contain itself without end; an alias can only name a value that ends before it`,
        }
      const size = target === undefined ? 1 : (sizes.get(target) ?? 1)
      sizes.set(node, size)
      if (size > MAX_EXPANDED_VALUES) return tooLarge(node)
      continue
    }
    if (node.anchor) anchors.set(node.anchor, node)
    if (!isCollection(node)) {
      sizes.set(node, 1)
      continue
    }
    open.add(node)
    stack.push({ node, exit: true })
    const kids = childrenOf(node)
    for (let i = kids.length - 1; i >= 0; i--)
      stack.push({ node: kids[i] as YamlNode, exit: false })
  }
  return undefined
}
