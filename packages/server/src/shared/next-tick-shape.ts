import { AsyncResource } from 'node:async_hooks'

/**
 * Keeps the hidden class of Node's `process.nextTick` queue entries alive for the life of the
 * process, so the object literal that makes one stays on V8's fast path (docs/architecture.md §9,
 * "Per-request cost over bare Fastify").
 *
 * Why: Node 20 makes each entry as `{ [async_id_symbol]: id, [trigger_async_id_symbol]: id,
 * callback, args }` (lib/internal/process/task_queues.js). V8 links the hidden classes of such a
 * literal weakly, and an entry lives only until its tick runs: a full (mark-compact) collection
 * that finds none alive drops them, and the next entry gets new ones. The literal's property
 * sites see a new hidden class after each such collection; after four they are megamorphic for
 * good, and the optimised callers (stream end, socket write, request destroy, ~9 entries per HTTP
 * request) then define each entry's properties through the runtime: 35k instructions per
 * `/healthz` request over sockets, a quarter of it (callgrind, main thread). A server with a heap
 * the size of Tessera's runs enough full collections to get there within its first requests; a bare
 * Fastify did after six forced ones.
 *
 * One object of the same shape (the same keys in the same order, numbers stored as doubles, as
 * Node's are) keeps those hidden classes alive, so every entry finds them. It changes no
 * behaviour: nothing reads it, and on a Node whose entries have another shape it is one idle
 * object. Held once per process, as V8's hidden classes are.
 */
let held: object | undefined

export function holdNextTickShape(): void {
  if (held !== undefined) return
  const symbols = Object.getOwnPropertySymbols(new AsyncResource('TesseraNextTickShape'))
  const asyncId = symbols.find((symbol) => symbol.description === 'async_id_symbol')
  const triggerAsyncId = symbols.find((symbol) => symbol.description === 'trigger_async_id_symbol')
  if (asyncId === undefined || triggerAsyncId === undefined) return
  // Non-integral, so both fields are stored as doubles, as Node's ids read from a Float64Array are.
  held = { [asyncId]: 0.5, [triggerAsyncId]: 0.5, callback: holdNextTickShape, args: undefined }
}
