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
    // Relative to the file, not to where the command runs.
    expect(demo.storage.path).toBe(resolve(root, 'data/demo.json'))
    expect(demo.server).toMatchObject({ port: 8080, baseUrl: 'http://localhost:8080' })
  })

  it('prints and links the port it serves on (PORT), unless BASE_URL is given', async () => {
    const file = resolve(root, 'config/demo.yaml')
    const onPort = await loadConfig(file, { PORT: '18931' })
    expect(onPort.server).toMatchObject({ port: 18931, baseUrl: 'http://localhost:18931' })
    const given = await loadConfig(file, { PORT: '18931', BASE_URL: 'http://demo.example:80/' })
    expect(given.server).toMatchObject({ port: 18931, baseUrl: 'http://demo.example:80' })
  })
})
