/** restartOnly: which reloaded settings a running serve cannot apply, so reload says so. */
import { describe, expect, it } from 'vitest'
import { restartOnly } from '../../src/cli/serve.js'
import { testConfig } from '../helpers/runtime.js'

describe('restartOnly', () => {
  const was = testConfig()

  it('names nothing when only live settings change (sources, topics, retention, every)', () => {
    const next = testConfig({
      fetch: { ...was.fetch, every: '5m' },
      storage: { ...was.storage, retention: { maxAgeDays: 1, maxItemsPerSource: 5 } },
    })
    expect(restartOnly(was, next)).toEqual([])
  })

  it('names the address, the store and the worker settings', () => {
    const next = testConfig({
      server: { ...was.server, host: '0.0.0.0', port: was.server.port + 1 },
      storage: { ...was.storage, path: `${was.storage.path}.other` },
      fetch: { ...was.fetch, workers: 3, analysisTimeoutMs: 1_000 },
    })
    expect(restartOnly(was, next)).toEqual([
      'server.host',
      'server.port',
      'storage.path',
      'fetch.workers',
      'fetch.analysis_timeout',
    ])
  })
})
