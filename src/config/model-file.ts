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

/**
 * Parses a model file's text; returns the sentence saying what is wrong when it is not a model.
 * @example parseModelFile('{"version":1,"examples":{"in":1,"out":1},"bias":0,"weights":{}}')
 */
export const parseModelFile = (text: string): TopicModel | string => {
  if (text.length > MAX_MODEL_FILE_BYTES) return `it is over ${MAX_MODEL_FILE_BYTES} characters`
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
