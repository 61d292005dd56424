/** A free TCP port on 127.0.0.1, for tests that start a process which must be told its port. */
import { createServer } from 'node:net'

/** Asks the kernel for a free port and releases it at once (the caller binds it next). */
export const freePort = (): Promise<number> =>
  new Promise<number>((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => ok(port))
    })
  })
