/** Admin routes: refresh a source now, reload the configuration. Bearer `server.admin_token`. */
import { timingSafeEqual } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { NotFoundError } from '../../model/errors.js'
import type { Deps } from '../../model/types.js'

const BEARER = /^bearer +(\S+) *$/i

/** What `serve` lets the admin routes do; absent hooks answer 501. */
export interface AdminHooks {
  refresh?: (sourceId: string) => Promise<unknown>
  reload?: () => Promise<unknown>
}

/** POST /api/sources/{id}/refresh and POST /api/reload (SPEC §3). */
export const adminRoutes = (deps: Deps, hooks: AdminHooks): Hono => {
  const app = new Hono()
  const denied = (c: Context): Response | undefined => {
    const token = deps.config.server.adminToken
    if (!token)
      return c.json(
        { error: { message: 'admin endpoints are disabled (set server.admin_token)' } },
        403,
      )
    const header = c.req.header('authorization') ?? ''
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer`, `BEARER` work too.
    const got = Buffer.from(BEARER.exec(header)?.[1] ?? '')
    const want = Buffer.from(token)
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      return c.json(
        { error: { message: 'a valid "Authorization: Bearer <admin token>" header is required' } },
        401,
        {
          'WWW-Authenticate': 'Bearer',
        },
      )
    }
    return undefined
  }
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
