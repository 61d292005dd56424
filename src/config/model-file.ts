/** Reads the model files topics name (`model.file`) into their settings, each problem placed at its `file:` key. */
import { readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { z } from 'zod'
import type { Topic, TopicModel } from '../model/types.js'
import type { Problem } from './locate.js'

/** A model file larger than this is refused unread (a shipped one is a few hundred KB). */
const MAX_MODEL_FILE_BYTES = 8 * 1024 * 1024
/** Features a model file may weigh at most: scoring and memory stay bounded. */
export const MAX_MODEL_FEATURES = 50_000

/** Reads a file as text; throws as `readFileSync` does. */
export type ModelFileReader = (path: string) => string

const defaultReader: ModelFileReader = (path) => {
  const { size } = statSync(path)
  if (size > MAX_MODEL_FILE_BYTES)
    throw new Error(`it is ${size} bytes, over the limit of ${MAX_MODEL_FILE_BYTES}`)
  return readFileSync(path, 'utf8')
}

const modelSchema = z.strictObject({
  version: z.literal(1),
  examples: z.strictObject({ in: z.number().int().min(0), out: z.number().int().min(0) }),
  bias: z.number().refine(Number.isFinite),
  // Checked by weightsProblem: zod's pipeline per entry, over a model's thousands of features,
  // cost more than the rest of `check` on the shipped configuration.
  weights: z.unknown().optional(),
})

const kind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isNaN(v) ? 'NaN' : typeof v

/** What is wrong with a model's weights, worded and placed as zod words and places the rest. */
const weightsProblem = (w: unknown): { at: string; message: string } | undefined => {
  if (typeof w !== 'object' || w === null || Array.isArray(w))
    return { at: 'weights', message: `Invalid input: expected record, received ${kind(w)}` }
  // Object.keys, not Object.entries: over a model's thousands of named weights (a dictionary-mode
  // object) entries was most of the time `check` spent on the shipped model file.
  const features = Object.keys(w)
  if (features.length > MAX_MODEL_FEATURES)
    return { at: 'weights', message: `more than ${MAX_MODEL_FEATURES} weights` }
  const weights = w as Record<string, unknown>
  for (const feature of features) {
    const weight = weights[feature]
    if (typeof weight !== 'number')
      return {
        at: `weights.${feature}`,
        message: `Invalid input: expected number, received ${kind(weight)}`,
      }
    if (!Number.isFinite(weight))
      return {
        at: `weights.${feature}`,
        message: `Invalid input: expected number, received ${weight}`,
      }
  }
  return undefined
}

const NOT_A_MODEL = 'it is not a topicwire model (version 1, examples, bias, weights)'

/** The start of the weights: the key, then the object's brace. */
const WEIGHTS_KEY = /"weights"\s*:\s*\{/g
/**
 * One `"feature": weight` of the weights object, then a comma before the next or the closing
 * brace ahead: a JSON string without control characters (JSON allows none raw below U+0020)
 * and a JSON number whose digits and exponent are few enough that it is finite. What this
 * accepts, JSON.parse reads.
 */
const WEIGHT =
  /\s*"(?:[^"\\\p{Cc}]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"\s*:\s*-?(?:0|[1-9]\d{0,15})(?:\.\d{1,20})?(?:[eE][+-]?\d{1,2})?\s*(?:,(?=\s*")|(?=\s*\}))/uy
const CLOSE = /\s*\}/y

/**
 * A model file as written (weights an object of plain numbers, written once), checked without
 * building its weights: the thousands of named weights of a model are most of what reading it
 * costs, and `check` never uses them. Undefined for anything else, which
 * {@link checkedModelFile} then reads and words.
 */
const modelWithLazyWeights = (text: string): TopicModel | undefined => {
  WEIGHTS_KEY.lastIndex = 0
  const key = WEIGHTS_KEY.exec(text)
  if (!key) return undefined
  const start = key.index + key[0].length - 1
  let at = start + 1
  let count = 0
  WEIGHT.lastIndex = at
  while (WEIGHT.test(text)) {
    at = WEIGHT.lastIndex
    if (++count > MAX_MODEL_FEATURES) return undefined
  }
  CLOSE.lastIndex = at
  if (!CLOSE.test(text)) return undefined
  const end = CLOSE.lastIndex
  // "weights" anywhere else (a second key, a nested one): the full reading decides
  if (text.lastIndexOf('"weights"', key.index - 1) !== -1 || text.indexOf('"weights"', end) !== -1)
    return undefined
  let data: unknown
  try {
    data = JSON.parse(`${text.slice(0, start)}0${text.slice(end)}`)
  } catch {
    return undefined
  }
  const r = modelSchema.safeParse(data)
  // 0 in its place: the object found is the top level's weights
  if (!r.success || r.data.weights !== 0) return undefined
  const { weights: _, ...fields } = r.data
  return withLazyWeights(fields, text.slice(start, end))
}

/** `fields` with `weights` read from `json` when first used (then a plain property). */
const withLazyWeights = (fields: Omit<TopicModel, 'weights'>, json: string): TopicModel => {
  const model = { ...fields } as TopicModel
  const settle = (weights: Record<string, number>) => {
    Object.defineProperty(model, 'weights', {
      value: weights,
      writable: true,
      enumerable: true,
      configurable: true,
    })
    return weights
  }
  Object.defineProperty(model, 'weights', {
    get: () => settle(JSON.parse(json)),
    set: settle,
    enumerable: true,
    configurable: true,
  })
  return model
}

/**
 * Parses a model file's text; returns the sentence saying what is wrong when it is not a model.
 * The weights of a well-formed file are read when first used.
 * @example parseModelFile('{"version":1,"examples":{"in":1,"out":1},"bias":0,"weights":{}}')
 */
export const parseModelFile = (text: string): TopicModel | string => {
  if (text.length > MAX_MODEL_FILE_BYTES) return `it is over ${MAX_MODEL_FILE_BYTES} characters`
  return modelWithLazyWeights(text) ?? checkedModelFile(text)
}

/** Parses and checks the whole text, naming the first problem as zod would. */
const checkedModelFile = (text: string): TopicModel | string => {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    return `it is not JSON (${e instanceof Error ? e.message : String(e)})`
  }
  const r = modelSchema.safeParse(data)
  if (!r.success) {
    const first = r.error.issues[0]
    const where = first?.path.length ? ` at ${first.path.join('.')}` : ''
    return `${NOT_A_MODEL}${where}: ${first?.message ?? 'invalid'}`
  }
  const wrong = weightsProblem(r.data.weights)
  if (wrong) return `${NOT_A_MODEL} at ${wrong.at}: ${wrong.message}`
  return { ...r.data, weights: r.data.weights as Record<string, number> }
}

/**
 * Loads every topic's `model.file` (relative to the configuration file) into `model.base`.
 * Returns a problem per file that cannot be read or is not a model, at `topics.ID.model.file`.
 */
export const loadModelFiles = (
  topics: Topic[],
  configFile: string,
  read: ModelFileReader = defaultReader,
): Problem[] => {
  const problems: Problem[] = []
  for (const topic of topics) {
    const file = topic.model?.file
    if (!topic.model || file === undefined) continue
    const path = resolve(dirname(configFile), file)
    const at = ['topics', topic.id, 'model', 'file']
    let text: string
    try {
      text = read(path)
    } catch (e) {
      const why =
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'it does not exist'
          : e instanceof Error
            ? e.message
            : String(e)
      problems.push({ path: at, message: `the model file ${path} cannot be read: ${why}` })
      continue
    }
    const model = parseModelFile(text)
    if (typeof model === 'string')
      problems.push({ path: at, message: `the model file ${path} cannot be used: ${model}` })
    else topic.model.base = model
  }
  return problems
}
