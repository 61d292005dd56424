/** A story as the API shows it (lead, members) and why its items were merged (pure). */
import type { ClusterReason, Item } from '../model/types.js'

/** A source's preference as lead of a story (config `priority`); higher wins. */
export type PriorityOf = (sourceId: string) => number

/** One member of a story, as `/api/items` lists it. */
export interface StoryMember {
  id: string
  sourceId: string
  title: string
  url?: string
  publishedAt: string
  lead: boolean
}

/** A story: its stable id, its lead item and every stored member (lead first). */
export interface StoryView {
  id: string
  lead: string
  size: number
  members: StoryMember[]
}

/** Why one member is in its story. */
export interface MemberExplanation {
  id: string
  sourceId: string
  /** `first`: the report the story started with (no reason recorded). */
  via: 'first' | ClusterReason['via']
  matchedId?: string
  score?: number
  /** One sentence for people: "same canonical URL as dawn (…)". */
  because: string
}

/** `explain=1` for a story: how each member came to be in it. */
export interface ClusterExplanation {
  storyId: string
  lead: string
  /** The explained item's own reason, in words. */
  summary: string
  members: MemberExplanation[]
}

/**
 * The lead first: highest source priority, then earliest published, then smallest id (the same
 * order store/query.ts uses to collapse a story).
 */
export const compareForLead =
  (priorityOf: PriorityOf = () => 0) =>
  (a: Item, b: Item): number =>
    priorityOf(b.sourceId) - priorityOf(a.sourceId) ||
    Date.parse(a.publishedAt) - Date.parse(b.publishedAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The members with `item` among them (a store may not hold it yet), lead first. */
const ordered = (item: Item, members: readonly Item[], priorityOf?: PriorityOf): Item[] => {
  const all = members.some((m) => m.id === item.id) ? [...members] : [...members, item]
  return all.filter((m) => m.clusterId === item.clusterId).sort(compareForLead(priorityOf))
}

/**
 * The story of an item for `/api/items`: story id, lead and members (lead first).
 * @param members the stored members of `item.clusterId` (`store.clusterMembers`), any order
 * @example storyOf(item, await store.clusterMembers(item.clusterId), priorityOf)
 */
export const storyOf = (
  item: Item,
  members: readonly Item[],
  priorityOf?: PriorityOf,
): StoryView => {
  const list = ordered(item, members, priorityOf)
  const lead = list[0]?.id ?? item.id
  return {
    id: item.clusterId,
    lead,
    size: list.length,
    members: list.map((m) => ({
      id: m.id,
      sourceId: m.sourceId,
      title: m.title,
      ...(m.url ? { url: m.url } : {}),
      publishedAt: m.publishedAt,
      lead: m.id === lead,
    })),
  }
}

const describe = (m: Item, byId: ReadonlyMap<string, Item>): MemberExplanation => {
  const reason = m.clusterReason
  if (!reason) {
    return {
      id: m.id,
      sourceId: m.sourceId,
      via: 'first',
      because: `first report of this story (${m.sourceId}, ${m.publishedAt})`,
    }
  }
  const other = byId.get(reason.matchedId)
  const whom = other ? `${other.sourceId}: “${other.title}”` : `item ${reason.matchedId}`
  const because =
    reason.via === 'url'
      ? `same canonical URL as ${whom}`
      : `similar title and summary to ${whom} (similarity ${(reason.score ?? 0).toFixed(2)}), with no conflicting figures, dates, places or event direction`
  return {
    id: m.id,
    sourceId: m.sourceId,
    via: reason.via,
    matchedId: reason.matchedId,
    ...(reason.score === undefined ? {} : { score: reason.score }),
    because,
  }
}

/**
 * Why an item is in its story, for `explain=1`: the item's own reason in words, and every
 * member's (lead first).
 * @param members the stored members of `item.clusterId`, any order
 * @example explainCluster(item, await store.clusterMembers(item.clusterId)).summary // 'same canonical URL as dawn: “…”'
 */
export const explainCluster = (
  item: Item,
  members: readonly Item[],
  priorityOf?: PriorityOf,
): ClusterExplanation => {
  const list = ordered(item, members, priorityOf)
  const byId = new Map(list.map((m) => [m.id, m]))
  const explained = list.map((m) => describe(m, byId))
  const own = explained.find((e) => e.id === item.id)
  const alone = list.length <= 1
  return {
    storyId: item.clusterId,
    lead: list[0]?.id ?? item.id,
    summary: alone ? 'no other source carries this story' : (own?.because ?? ''),
    members: explained,
  }
}
