// Entry of every worker thread (analysis pool, topic learner): the sources are TypeScript run through tsx (no build step), and a worker thread
// does not inherit the loader its parent registered, so it registers tsx before importing them.
import { parentPort, workerData } from 'node:worker_threads'

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
// A worker started before its parent knows what to give it (the analysis pool's prestart, while
// the configuration is still being read): it loads the modules `preload` names meanwhile, then
// takes the rest of its workerData from the first message on `setup` (a port of its own, so the
// jobs already queued on parentPort wait for the entry's listener).
if (workerData.setup) {
  const [given] = await Promise.all([
    new Promise((done) => workerData.setup.once('message', done)),
    ...(workerData.preload ?? []).map((url) => import(url)),
  ])
  workerData.setup.close()
  Object.assign(workerData, given)
}
await import(workerData.entry)
// Loading (compiling the sources under tsx) can take seconds on a busy machine: the analysis pool
// starts a document's deadline only once the worker says it is ready (the learner ignores it).
parentPort?.postMessage({ ready: true })
