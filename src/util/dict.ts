/** Lookup tables keyed by outside text (words, entity names, file extensions, query fields). */

/**
 * A frozen table without a prototype: a key such as `constructor` or `toString` read from a feed,
 * a URL or a query finds nothing, instead of a function inherited from Object.prototype.
 * @example const UNITS = dict({ s: 1000, m: 60_000 }); UNITS.constructor // undefined
 */
export const dict = <T>(entries: Record<string, T>): Readonly<Record<string, T>> =>
  Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries))
