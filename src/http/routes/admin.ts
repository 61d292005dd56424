/** Admin routes: refresh a source now, reload the configuration. Bearer `server.admin_token`. */
import { type Context, Hono } from 'hono'
import { NotFoundError } from '../../model/errors.js'
import type { Deps } from '../../model/types.js'
import { adminDenied } from '../admin-auth.js'

/** What `serve` lets the admin routes do; absent hooks answer 501. */
export interface AdminHooks {
  refresh?: (sourceId: string) => Promise<unknown>
  reload?: () => Promise<unknown>
  /** Retrains a topic's model on its stored verdicts and re-tags the stored items (after feedback). */
  learn?: (topicId: string) => Promise<{ retagged: number }>
  /**
   * How long a feedback answer waits for `learn` (default FEEDBACK_WAIT_MS, routes/feedback.ts):
   * past it the answer says `"model": "updating"` and the learning goes on.
   */
  learnWaitMs?: number
}

/** POST /api/sources/{id}/refresh and POST /api/reload (SPEC §3). */
export const adminRoutes = (deps: Deps, hooks: AdminHooks): Hono => {
  const app = new Hono()
  const denied = (c: Context): Response | undefined => adminDenied(deps, c)
  app.post('/sources/:id/refresh', async (c) => {
    const no = denied(c)
    if (no) return no
    const id = c.req.param('id')
    if (!deps.config.sources.some((s) => s.id === id)) throw new NotFoundError('source', id)
    if (!hooks.refresh) return c.json({ error: { message: 'refresh is not available here' } }, 501)
    return c.json({ refreshed: id, result: await hooks.refresh(id) })
  })
  app.post('/reload', async (c) => {
    const no = denied(c)
    if (no) return no
    if (!hooks.reload) return c.json({ error: { message: 'reload is not available here' } }, 501)
    return c.json({ reloaded: true, result: await hooks.reload() })
  })
  return app
}
