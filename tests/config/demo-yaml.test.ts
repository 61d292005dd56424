import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'

const root = resolve(import.meta.dirname, '../..')

describe('config/demo.yaml', () => {
  it('is valid and uses exactly the shipped topic rules', async () => {
    const demo = await loadConfig(resolve(root, 'config/demo.yaml'), {
      DEMO_FEEDS_URL: 'http://127.0.0.1:1234',
    })
    const shipped = await loadConfig(resolve(root, 'config/topicwire.yaml'), {})
    expect(demo.topics).toEqual(shipped.topics)
    expect(demo.sources.every((s) => s.url.startsWith('http://127.0.0.1:1234/'))).toBe(true)
    expect(demo.storage.path).toBe('data/demo.json')
  })
})
