import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPartitionedStore } from '../../src/store/lowdb/partitioned-store.js'
import { runCli } from '../helpers/cli.js'

let dir: string
let config: string
let db: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-verdicts-'))
  db = join(dir, 'db.json')
  config = join(dir, 'topicwire.yaml')
  await writeFile(
    config,
    `storage:\n  path: ${db}\nsources:\n  - { id: dawn, title: Dawn, url: "https://www.dawn.com/feeds/home" }\ntopics:\n  relations:\n    title: Relations\n    match: { any: [Torkham] }\n`,
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const write = async (name: string, text: string) => {
  const p = join(dir, name)
  await writeFile(p, text)
  return p
}

describe('topicwire import-verdicts', () => {
  it('stores a labelled set as verdicts on the topic, kept in the store', async () => {
    const set = await write(
      'set.tsv',
      'id\tlang\tkind\ttopics\ttitle\tsummary\nr1\ten\tx\trelations\tTorkham reopens\tTrucks cross.\nr2\ten\tx\t-\tQuake in both\t\n',
    )
    const run = await runCli(['import-verdicts', set, '--topic', 'relations', '--config', config])
    expect(run.err).toBe('')
    expect(run.out).toContain('2 verdicts on relations (1 in, 1 out), 2 new or changed')
    const store = await createPartitionedStore({ path: db, readOnly: true })
    expect((await store.listVerdicts('relations')).map((v) => [v.itemId, v.in, v.title])).toEqual([
      ['r1', true, 'Torkham reopens'],
      ['r2', false, 'Quake in both'],
    ])
  })

  it('reads an "id label" file joined to an items table with --items', async () => {
    const items = await write(
      'items.tsv',
      'id\toutlet\tlink\tpublished\ttitle\tsummary\nn1\tO\thttps://o.example/1\t2023-01-01T00:00:00Z\tKabul talks\t\n',
    )
    const labels = await write('labels.tsv', 'id\tlabel\nn1\t1\n')
    const run = await runCli([
      'import-verdicts',
      labels,
      '--items',
      items,
      '--topic',
      'relations',
      '--config',
      config,
    ])
    expect(run.out).toContain('1 verdicts on relations (1 in, 0 out)')
  })

  it('refuses a malformed file whole, naming the line, and stores nothing from it', async () => {
    const before = await readFile(join(dir, 'db', 'state.json'), 'utf8')
    const bad = await write(
      'bad.tsv',
      'id\tlang\tkind\ttopics\ttitle\tsummary\nb1\ten\tx\trelations\tok\t\nb2\ten\n',
    )
    const run = await runCli(['import-verdicts', bad, '--topic', 'relations', '--config', config])
    expect(run.code).toBe(1)
    expect(run.err).toContain('bad.tsv:3')
    expect(await readFile(join(dir, 'db', 'state.json'), 'utf8')).toBe(before)
  })

  it.each([
    [['import-verdicts', 'x.tsv'], 'needs --topic ID', 2],
    [['import-verdicts'], 'needs the labelled file', 2],
  ])('%j is a usage error', async (argv, message, code) => {
    const run = await runCli([...argv, '--config', config])
    expect(run.code).toBe(code)
    expect(run.err).toContain(message)
  })

  it('an unknown topic is an error', async () => {
    const set = await write('s2.tsv', 'id\tlang\tkind\ttopics\ttitle\tsummary\n')
    const run = await runCli(['import-verdicts', set, '--topic', 'nope', '--config', config])
    expect(run.code).toBe(1)
    expect(run.err).toContain('unknown topic "nope"')
  })
})
