/** POST /api/topics/{id}/feedback: a reader's verdict that an item is in or out of a topic (admin token). */
import { Hono } from 'hono'
import { InvalidParamError, NotFoundError } from '../../model/errors.js'
import type { Deps } from '../../model/types.js'
import { adminDenied } from '../admin-auth.js'
import type { AdminHooks } from './admin.js'

/** Body: `{ "item": "<item id>", "verdict": "in" | "out" }`; larger bodies are refused. */
const MAX_BODY = 4096

/**
 * Stores the verdict with the item's text (it outlives the item) and answers how many verdicts
 * the topic has. Verdicts are kept in the store, so they survive restarts and config reloads.
 * With `hooks.learn` (serve), a topic with `model:` then retrains on its verdicts and the stored
 * items are re-tagged; the answer says how many changed (`retagged`).
 * @example app.route('/api', feedbackRoutes(deps, hooks))
 */
export const feedbackRoutes = (deps: Deps, hooks: Pick<AdminHooks, 'learn'> = {}): Hono => {
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
    const learned = learns && hooks.learn ? await hooks.learn(topicId) : undefined
    return c.json({
      topic: topicId,
      item: stored.id,
      verdict,
      verdicts: {
        in: verdicts.filter((v) => v.in).length,
        out: verdicts.filter((v) => !v.in).length,
      },
      ...(learned ? { retagged: learned.retagged } : {}),
    })
  })
  return app
}
