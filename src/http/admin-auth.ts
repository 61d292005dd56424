/** The admin token check shared by every admin route: Bearer `server.admin_token`, compared in constant time. */
import { timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import type { Deps } from '../model/types.js'

const BEARER = /^bearer +(\S+) *$/i

/**
 * The response refusing the request (403 when admin routes are disabled, 401 without the token),
 * or undefined when the request carries the admin token.
 * @example const no = adminDenied(deps, c); if (no) return no
 */
export const adminDenied = (deps: Deps, c: Context): Response | undefined => {
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
      { 'WWW-Authenticate': 'Bearer' },
    )
  }
  return undefined
}
