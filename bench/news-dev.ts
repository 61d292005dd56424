/** How the news-dev corpus is read for evaluation: its outlets' tags and where its held-out half starts. */

/**
 * Tags a `serve` would give news-dev's outlets as sources (only a Pakistani outlet's matters to the
 * shipped rules: its country is the side a story about "Afghan nationals" leaves implied).
 */
export const NEWS_DEV_OUTLET_TAGS: Readonly<Record<string, readonly string[]>> = {
  'Pakistan Observer': ['pakistan'],
  'The Times of India': ['international', 'india'],
}

/**
 * Items published from this date on are the held-out half: windows W5, W6 and the later sweep
 * items. The rules are tuned on the earlier half and the held-out half is only read back.
 */
export const NEWS_DEV_HOLDOUT_FROM = '2023-07-01'

/**
 * A row's cross-validation fold key: its day of publication, so the wire copies of one story
 * (published the same day) are never split between training and test (else its index).
 */
export const dayFold = (row: object, index: number): number => {
  const published = 'published' in row && typeof row.published === 'string' ? row.published : ''
  const day = Math.floor(Date.parse(published) / 864e5)
  return Number.isFinite(day) ? day : index
}
