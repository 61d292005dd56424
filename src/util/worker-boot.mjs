// Entry of every worker thread (analysis pool, topic learner): the sources are TypeScript run through tsx (no build step), and a worker thread
// does not inherit the loader its parent registered, so it registers tsx before importing them.
import { parentPort, workerData } from 'node:worker_threads'

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(workerData.entry)
// Loading (compiling the sources under tsx) can take seconds on a busy machine: the analysis pool
// starts a document's deadline only once the worker says it is ready (the learner ignores it).
parentPort?.postMessage({ ready: true })
