/** A fingerprint of everything an item's topics depend on: stored items all tagged under it need no re-tag at start or reload. */
import { createHash } from 'node:crypto'
import type { Source, Topic } from '../model/types.js'

/**
 * Bumped when a change to the matching code (tokenising, folding, rule semantics) changes what a
 * rule matches: stores then re-tag once after the upgrade, as after a rule change.
 */
const MATCHING_REVISION = 1

/**
 * The topics (their rules and learned models) and each source's tags (`source:` terms and
 * `source_tags` read them), hashed: equal fingerprints tag every item alike.
 * @example taggingFingerprint(config.topics, config.sources) // 'x3f…'
 */
export const taggingFingerprint = (
  topics: readonly Topic[],
  sources: readonly Pick<Source, 'id' | 'tags'>[],
): string =>
  createHash('sha256')
    .update(JSON.stringify([MATCHING_REVISION, topics, sources.map((s) => [s.id, s.tags])]))
    .digest('base64url')
