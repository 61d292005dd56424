/** `topicwire serve` (npm start): scheduler + HTTP server, config hot-reload, graceful shutdown. */
import { type AddressInfo, isIP } from 'node:net'
import { loadConfig } from '../config/load.js'
import { watchConfig } from '../config/watch.js'
import { createNodeServer } from '../http/node-server.js'
import type { PollDeps } from '../ingest/poll-deps.js'
import { type CycleSummary, type Scheduler, startScheduler, tickFor } from '../ingest/scheduler.js'
import { AppError } from '../model/errors.js'
import type { AppConfig } from '../model/types.js'
import { createRuntime } from '../runtime.js'
import type { LogFormat, LogLevel } from '../util/logger.js'
import type { CliContext } from './context.js'
import { logOptions } from './log-options.js'

/** A running topicwire: what tests, the demo and `serve` hold on to. */
export interface Service {
  /** `http://HOST:PORT` as bound, loopback for a wildcard host (port 0 in tests picks a free one). */
  url: string
  deps: PollDeps
  scheduler: Scheduler
  /** Applies a new configuration (what the file watcher and POST /api/reload do). */
  reload(next?: AppConfig): Promise<{ retagged: number }>
  close(): Promise<void>
}

/**
 * Starts the scheduler (first poll right away) and the HTTP server for a loaded configuration.
 * @example const svc = await startService(config, { port: 0 }); …; await svc.close()
 */
export const startService = async (
  config: AppConfig,
  opts: {
    port?: number
    hostname?: string
    logLevel?: LogLevel
    logFormat?: LogFormat
    overrides?: Partial<PollDeps>
    configPath?: string
    env?: Record<string, string | undefined>
    tick?: string
    onCycle?: (c: CycleSummary) => void
  } = {},
): Promise<Service> => {
  const runtime = await createRuntime(config, {
    ...opts.overrides,
    logLevel: opts.logLevel,
    logFormat: opts.logFormat,
  })
  const { deps } = runtime
  // Rules may have changed while we were stopped: re-tag the stored items once, before serving.
  const { retagged } = await runtime.reconfigure(config)
  if (retagged > 0) deps.logger.info({ retagged }, 'stored items re-tagged with the current rules')
  // A fixed tick: a reload that shortens an interval below a minute takes effect at restart.
  const scheduler = startScheduler(deps, {
    tick: opts.tick ?? tickFor(config),
    onCycle: opts.onCycle,
  })
  const reload = async (next?: AppConfig) => {
    const fresh = next ?? (await loadConfig(opts.configPath ?? config.file, opts.env ?? {}))
    const pending = restartOnly(deps.config, fresh)
    const result = await runtime.reconfigure(fresh)
    if (pending.length > 0)
      deps.logger.warn(
        { retagged: result.retagged, restartNeeded: pending },
        `configuration reloaded, except ${pending.join(', ')}: these take effect at the next restart`,
      )
    else deps.logger.info({ retagged: result.retagged }, 'configuration reloaded')
    return result
  }
  const server = createNodeServer(deps, {
    refresh: async (id) => {
      const cycle = await scheduler.runOnce({ force: true, sourceIds: [id] })
      return cycle.reports[0]
    },
    reload: () => reload(),
    learn: (topicId) => runtime.learn(topicId),
  })
  const at = { port: opts.port ?? config.server.port, host: opts.hostname ?? config.server.host }
  server.listen(at.port, at.host)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve)
      server.once('error', reject)
    })
  } catch (err) {
    await scheduler.stop()
    await runtime.close()
    throw listenError(err, at)
  }
  const { port } = server.address() as AddressInfo
  const watcher = opts.configPath
    ? watchConfig(opts.configPath, opts.env ?? {}, {
        onChange: (next) => reload(next).then(() => undefined),
        onInvalid: (err) =>
          deps.logger.error(
            { err: err.message },
            'new configuration rejected; keeping the old one',
          ),
      })
    : undefined
  deps.logger.info({ host: at.host, port, sources: config.sources.length }, 'topicwire listening')
  return {
    url: `http://${dialHost(at.host)}:${port}`,
    deps,
    scheduler,
    reload,
    close: async () => {
      watcher?.close()
      await scheduler.stop()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Idle keep-alive connections (a reader that polls) would hold close() open otherwise.
      server.closeIdleConnections()
      await closed
      await deps.store.flush()
      await runtime.close()
    },
  }
}

/**
 * Runs until SIGINT/SIGTERM, then stops polling, cancels the running cycle and flushes; SIGHUP
 * reloads the configuration.
 */
export const serveCommand = async (ctx: CliContext): Promise<void> => {
  const config = await loadConfig(ctx.configPath, ctx.env)
  const svc = await startService(config, {
    configPath: ctx.configPath,
    env: ctx.env,
    ...logOptions(ctx.env, 'info'),
  })
  ctx.out(
    `topicwire: serving ${config.sources.length} sources at ${config.server.baseUrl}/ (listening on ${svc.url})`,
  )
  // SIGHUP reloads the file as the watcher does: for deployments whose configuration is mounted
  // where file events do not arrive (`systemctl reload`, `kill -HUP`). A bad file is logged, the
  // running configuration kept.
  const hangup = () => {
    svc.deps.logger.info({ signal: 'SIGHUP' }, 'reloading the configuration')
    svc
      .reload()
      .catch((err: unknown) =>
        svc.deps.logger.error(
          { err: err instanceof Error ? err.message : String(err) },
          'new configuration rejected; keeping the old one',
        ),
      )
  }
  process.on('SIGHUP', hangup)
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  process.off('SIGHUP', hangup)
  ctx.out('topicwire: shutting down')
  // Stopping cancels the running cycle (its fetches are aborted, a worker busy on a document is
  // terminated), which then writes what it has: that takes a moment. Past fetch.timeout plus a
  // few seconds something is stuck, and the process exits anyway (worker threads end with it).
  // A second signal too.
  const graceMs = config.fetch.timeoutMs + SHUTDOWN_GRACE_MS
  const force = (why: string) => () => {
    ctx.err(`topicwire: ${why}; exiting without waiting`)
    process.exit(1)
  }
  const timer = setTimeout(force(`not stopped within ${graceMs / 1000} s`), graceMs)
  timer.unref()
  const again = force('second signal')
  process.once('SIGINT', again)
  process.once('SIGTERM', again)
  try {
    await svc.close()
  } finally {
    clearTimeout(timer)
    process.off('SIGINT', again)
    process.off('SIGTERM', again)
  }
}

/**
 * Settings a running `serve` cannot change (the port it listens on, the store it opened, the
 * worker threads and HTTP client it started) that differ between two configurations.
 */
export const restartOnly = (was: AppConfig, next: AppConfig): string[] => {
  const changed: string[] = []
  if (was.server.host !== next.server.host) changed.push('server.host')
  if (was.server.port !== next.server.port) changed.push('server.port')
  // Retention is read by every cycle; the driver, file and URL are fixed when the store opens.
  for (const key of ['driver', 'path', 'url'] as const)
    if (was.storage[key] !== next.storage[key]) changed.push(`storage.${key}`)
  if (was.storage.leaseMs !== next.storage.leaseMs) changed.push('storage.lease')
  if (was.fetch.workers !== next.fetch.workers) changed.push('fetch.workers')
  if (was.fetch.analysisTimeoutMs !== next.fetch.analysisTimeoutMs)
    changed.push('fetch.analysis_timeout')
  return changed
}

/** The address a client on this machine dials for a listen address (a wildcard is not one to dial). */
const dialHost = (host: string): string => {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return isIP(host) === 6 ? `[${host}]` : host
}

/** How long after `fetch.timeout` a stopping `serve` may take before it exits regardless. */
const SHUTDOWN_GRACE_MS = 5_000

/** Why the server could not listen, as a sentence that says what to change. */
const listenError = (err: unknown, at: { port: number; host: string }): unknown => {
  const code = err instanceof Error && 'code' in err ? err.code : undefined
  const where = `${at.host}:${at.port}`
  const reason =
    code === 'EADDRINUSE'
      ? 'another program is using that port'
      : code === 'EACCES'
        ? 'this user may not open that port (ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address'
          : undefined
  if (reason === undefined) return err
  return new AppError(
    'config',
    `cannot listen on ${where}: ${reason}; choose another with server.host and server.port in the configuration (or HOST and PORT)`,
    { cause: err },
  )
}
