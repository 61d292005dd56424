// Learning worker entry: the sources are TypeScript run through tsx (no build step), and a worker
// thread does not inherit the loader its parent registered, so it registers tsx before importing.
import { workerData } from 'node:worker_threads'

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(workerData.entry)
