/** Parses a labelled set of headlines (tab-separated) for evaluating topic rules. */
import { ParseError } from '../model/errors.js'

/** One labelled item: what it says and the topics a careful editor would give it. */
export interface LabelledRow {
  id: string
  /** BCP 47 language as written in the set (`en`, `ur`, `fa`, `ps`). */
  lang: string
  /** What the row is about (`diplomacy`, `cricket`, `doha-2020`…), for reading the errors. */
  kind: string
  title: string
  summary: string
  /** Expected topic ids, sorted; empty for a negative. */
  topics: string[]
  /** The tags of the row's source, when the set knows it (rules that read the source see them). */
  sourceTags?: string[]
}

const COLUMNS = ['id', 'lang', 'kind', 'topics', 'title', 'summary'] as const

/**
 * Reads a labelled set: `#` lines are comments, the first other line is the header
 * `id lang kind topics title summary` (tab-separated), then one row per item. `topics` is a comma
 * list of topic ids or `-` for none.
 * @param shown the file name used in error messages
 * @throws ParseError naming the line when a row is malformed or an id is repeated
 * @example parseLabelledSet(await readFile('set.tsv', 'utf8'), 'set.tsv')
 */
export const parseLabelledSet = (text: string, shown: string): LabelledRow[] => {
  const rows: LabelledRow[] = []
  const ids = new Set<string>()
  let header = false
  text.split(/\r?\n/).forEach((line, i) => {
    const at = `${shown}:${i + 1}`
    if (line.trim() === '' || line.startsWith('#')) return
    const cells = line.split('\t').map((c) => c.trim())
    if (!header) {
      if (cells.join(' ') !== COLUMNS.join(' '))
        throw new ParseError(`${at}: the header must be the columns ${COLUMNS.join(', ')}`)
      header = true
      return
    }
    const [id = '', lang = '', kind = '', topics = '', title = '', summary = ''] = cells
    if (cells.length !== COLUMNS.length)
      throw new ParseError(
        `${at}: expected ${COLUMNS.length} tab-separated columns, got ${cells.length}`,
      )
    if (id === '' || title === '') throw new ParseError(`${at}: the id and the title are required`)
    if (ids.has(id)) throw new ParseError(`${at}: the id "${id}" is used twice`)
    ids.add(id)
    const list = topics === '-' ? [] : topics.split(',').map((t) => t.trim())
    if (list.some((t) => !/^[a-z0-9-]+$/.test(t)))
      throw new ParseError(`${at}: topics must be topic ids separated by commas, or "-" for none`)
    rows.push({ id, lang, kind, title, summary, topics: [...new Set(list)].sort() })
  })
  if (!header) throw new ParseError(`${shown}: no header line (${COLUMNS.join(', ')})`)
  return rows
}
