/** Test builder for complete, valid Items (`makeItem`). */
import type { Item } from '../../src/model/types.js'
import { sha256Hex, stableUuid } from '../../src/util/hash.js'

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'item'

/**
 * A complete, valid Item: defaults derived from what the overrides give, so distinct titles (or
 * guids/urls) give distinct ids. Derived when not overridden: `url` and `guid` from the title,
 * `canonicalUrl` from the url, `id` = stableUuid([sourceId, guid ?? canonicalUrl ?? title+date]),
 * `contentHash` from title/summary/content, `clusterId` = id. Keys set to `undefined` are dropped.
 * @example makeItem({ title: 'Torkham reopens', topics: ['border-trade'] })
 */
export const makeItem = (overrides: Partial<Item> = {}): Item => {
  const has = (k: keyof Item): boolean => Object.hasOwn(overrides, k)
  const sourceId = overrides.sourceId ?? 'dawn'
  const title = overrides.title ?? 'Pakistan and Afghanistan reopen the Torkham crossing'
  const publishedAt = overrides.publishedAt ?? '2024-05-01T10:00:00.000Z'
  const url = has('url') ? overrides.url : `https://news.example.org/${sourceId}/${slug(title)}`
  const canonicalUrl = has('canonicalUrl') ? overrides.canonicalUrl : url
  const guid = has('guid') ? overrides.guid : url
  const summary = has('summary')
    ? overrides.summary
    : 'Trucks crossed the border again after talks in Islamabad and Kabul.'
  const contentHtml = has('contentHtml')
    ? overrides.contentHtml
    : `<p>${summary ?? title}</p><p>Traders welcomed the decision.</p>`
  const id =
    overrides.id ?? stableUuid([sourceId, guid ?? canonicalUrl ?? `${title}${publishedAt}`])
  const item: Item = {
    id,
    sourceId,
    guid,
    url,
    canonicalUrl,
    title,
    summary,
    contentHtml,
    author: 'Staff Reporter',
    language: 'en',
    categories: [],
    enclosures: [],
    publishedAt,
    fetchedAt: '2024-05-01T10:05:00.000Z',
    contentHash: sha256Hex([title, summary ?? '', contentHtml ?? ''].join('\u001f')),
    topics: [],
    clusterId: id,
    ...overrides,
  }
  for (const k of Object.keys(item) as (keyof Item)[]) {
    if (item[k] === undefined) delete item[k]
  }
  return item
}
