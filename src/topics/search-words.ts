/** The fields a search (`q`) reads of an item, and the word filter of their words: computed where an item is made (the analysis worker) or where it is stored. */
import type { Item } from '../model/types.js'
import { htmlToText } from './text.js'
import { coveredWords, wordFilterOfFields } from './word-filter.js'

/** The fields of store/query.ts `searchTextOf`, in its order, before normalising: title, summary, content text, categories. */
export const searchFieldsOf = (item: Item): string[] => [
  item.title,
  item.summary ?? '',
  htmlToText(item.contentHtml ?? ''),
  ...item.categories,
]

/**
 * The word filter (word-filter.ts) of the words of store/query.ts `searchTextOf`: an item whose
 * filter lacks a word cannot match a term with it; one whose filter may have it is checked on its
 * whole text. Made from the same fields, in the same order, without building that text (it runs
 * for every item stored; a test holds it to the filter of the text). It reads only the title, the
 * summary, the content and the categories.
 */
export const searchWordsOf = (item: Item): string => {
  const fields = searchFieldsOf(item)
  // A summary cut from the content (an RSS description that is both) adds no word of its own.
  if (coveredWords(fields[1] as string, fields[2] as string)) fields[1] = ''
  return wordFilterOfFields(fields)
}
