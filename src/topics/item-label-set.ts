/** Reads a labelled item set kept as two tables (items.tsv + a labels file), such as the news-dev corpus. */
import { ParseError } from '../model/errors.js'
import type { LabelledRow } from './labelled-set.js'

/** Where a row of an item set came from, for tagging with the outlet's tags and for splitting by date. */
export interface ItemSetRow extends LabelledRow {
  outlet: string
  /** ISO 8601 UTC. */
  published: string
}

const ITEM_COLUMNS = ['id', 'outlet', 'link', 'published', 'title', 'summary'] as const

const rowsOf = (text: string, shown: string, header: readonly string[]): string[][] => {
  const lines = text.split(/\r?\n/)
  const first = (lines[0] ?? '').split('\t')
  if (first.join(' ') !== header.join(' '))
    throw new ParseError(`${shown}:1: the header must be the columns ${header.join(', ')}`)
  const out: string[][] = []
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return
    const cells = line.split('\t')
    if (cells.length !== header.length)
      throw new ParseError(
        `${shown}:${i + 2}: expected ${header.length} tab-separated columns, got ${cells.length}`,
      )
    out.push(cells)
  })
  return out
}

/**
 * Joins an items table (`id outlet link published title summary`) with a labels table (`id label`,
 * label 1 or 0) into rows labelled with `topicId` (label 1) or nothing (label 0). Items without a
 * label are left out; `outletTags` gives each outlet's tags as the source's (`sourceTags`), so a
 * rule that reads the source (`source: pakistan`) sees what it would see in a running `serve`.
 * @throws ParseError naming file and line for a malformed row, a bad label or a label of no item
 * @example readItemLabelSet(items, tagging, 'pakistan-afghanistan', { 'Pakistan Observer': ['pakistan'] }, 'news-dev')
 */
export const readItemLabelSet = (
  itemsText: string,
  labelsText: string,
  topicId: string,
  outletTags: Readonly<Record<string, readonly string[]>>,
  shown: string,
): ItemSetRow[] => {
  const items = new Map<string, string[]>()
  for (const cells of rowsOf(itemsText, `${shown}/items.tsv`, ITEM_COLUMNS))
    items.set(cells[0] ?? '', cells)
  const out: ItemSetRow[] = []
  rowsOf(labelsText, `${shown}/labels`, ['id', 'label']).forEach(([id = '', label = ''], i) => {
    const item = items.get(id)
    const at = `${shown}/labels:${i + 2}`
    if (!item) throw new ParseError(`${at}: no item "${id}" in items.tsv`)
    if (label !== '0' && label !== '1')
      throw new ParseError(`${at}: the label must be 1 or 0, got "${label}"`)
    const [, outlet = '', , published = '', title = '', summary = ''] = item
    out.push({
      id,
      lang: /[ąćęłńóśźż]/i.test(`${title} ${summary}`) ? 'pl' : 'en',
      kind: outlet,
      topics: label === '1' ? [topicId] : [],
      title,
      summary,
      outlet,
      published,
      sourceTags: [...(outletTags[outlet] ?? [])],
    })
  })
  return out
}
