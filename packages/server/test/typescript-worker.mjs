// A worker thread's entry that runs a TypeScript module of the server (`workerData.entry`, a file
// URL) from source: see typescript-hooks.mjs.
import { register } from 'node:module'
import { workerData } from 'node:worker_threads'

register(new URL('./typescript-hooks.mjs', import.meta.url))
await import(workerData.entry)
