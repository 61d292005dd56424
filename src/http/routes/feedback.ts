/** POST /api/topics/{id}/feedback: a reader's verdict that an item is in or out of a topic (admin token). */
import { Hono } from 'hono'
import { InvalidParamError, NotFoundError } from '../../model/errors.js'
import type { Deps } from '../../model/types.js'
import { adminDenied } from '../admin-auth.js'
import type { AdminHooks } from './admin.js'

/** Body: `{ "item": "<item id>", "verdict": "in" | "out" }`; larger bodies are refused. */
const MAX_BODY = 4096

/**
 * How long a feedback answer waits for the model and the re-tag. A verdict is usually one
 * incremental step (learn-history.ts), well within it; a full retrain (every so many verdicts)
 * or a re-tag of a large store may not be, and a reader's click should not hang on it.
 */
export const FEEDBACK_WAIT_MS = 2_000

/** The learning's result if it settles within `ms`, else undefined (it goes on); a failure in time is thrown. */
const within = async <T>(work: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Stores the verdict with the item's text (it outlives the item) and answers how many verdicts
 * the topic has. Verdicts are kept in the store, so they survive restarts and config reloads.
 * With `hooks.learn` (serve), a topic with `model:` then learns the verdict and the stored items
 * are re-tagged: done within `hooks.learnWaitMs` ({@link FEEDBACK_WAIT_MS}), the answer says
 * `"model": "updated"` and how many changed (`retagged`); past it, `"model": "updating"` (the
 * verdict is stored, the new model applies when the learning ends; a failure then is logged).
 * @example app.route('/api', feedbackRoutes(deps, hooks))
 */
export const feedbackRoutes = (
  deps: Deps,
  hooks: Pick<AdminHooks, 'learn' | 'learnWaitMs'> = {},
): Hono => {
  const app = new Hono()
  app.post('/topics/:id/feedback', async (c) => {
    const no = adminDenied(deps, c)
    if (no) return no
    const topicId = c.req.param('id')
    if (!deps.config.topics.some((t) => t.id === topicId)) throw new NotFoundError('topic', topicId)
    // refused before reading when the length is declared; checked again after (chunked bodies)
    if (Number(c.req.header('content-length') ?? 0) > MAX_BODY)
      throw new InvalidParamError('body', `the body is over ${MAX_BODY} characters`)
    const text = await c.req.text()
    if (text.length > MAX_BODY)
      throw new InvalidParamError('body', `the body is over ${MAX_BODY} characters`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new InvalidParamError(
        'body',
        'the body must be JSON: {"item": "<id>", "verdict": "in"}',
      )
    }
    const { item, verdict } = (typeof body === 'object' && body !== null ? body : {}) as Record<
      string,
      unknown
    >
    if (typeof item !== 'string' || item === '')
      throw new InvalidParamError('item', '"item" must be the id of a stored item')
    if (verdict !== 'in' && verdict !== 'out')
      throw new InvalidParamError('verdict', '"verdict" must be "in" or "out"')
    const stored = await deps.store.getItem(item)
    if (!stored) throw new NotFoundError('item', item)
    await deps.store.saveVerdicts([
      {
        topicId,
        itemId: stored.id,
        in: verdict === 'in',
        at: deps.clock.now().toISOString(),
        title: stored.title,
        ...(stored.summary !== undefined ? { summary: stored.summary } : {}),
      },
    ])
    await deps.store.flush()
    const verdicts = await deps.store.listVerdicts(topicId)
    const learns = deps.config.topics.some((t) => t.id === topicId && t.model !== undefined)
    let model: { model: 'updated'; retagged: number } | { model: 'updating' } | undefined
    if (learns && hooks.learn) {
      const learning = hooks.learn(topicId)
      const learned = await within(learning, hooks.learnWaitMs ?? FEEDBACK_WAIT_MS)
      if (learned) model = { model: 'updated', retagged: learned.retagged }
      else {
        model = { model: 'updating' }
        learning.catch((e: unknown) =>
          deps.logger.error(
            { topic: topicId, err: e },
            'learning a verdict failed after the feedback was answered',
          ),
        )
      }
    }
    return c.json({
      topic: topicId,
      item: stored.id,
      verdict,
      verdicts: {
        in: verdicts.filter((v) => v.in).length,
        out: verdicts.filter((v) => !v.in).length,
      },
      ...model,
    })
  })
  return app
}
