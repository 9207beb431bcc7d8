#!/usr/bin/env node
// The installed `tessera` command: runs the compiled CLI (built by `npm install` through the
// root `prepare` script, or by `npm run build`).
let young
let release = () => {}
try {
  // Start-up runs with V8's young generation held at its initial size (docs/architecture.md §9).
  const { manageYoungGeneration } = await import('../dist/shared/young-generation.js')
  young = manageYoungGeneration(process)
  release = young.hold()
  await import('../dist/bundle/main.js')
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && /dist\/(bundle\/main|shared\/young-generation)\.js/.test(String(error.message))) {
    process.stderr.write('tessera: not built yet; run `npm run build` first\n')
    process.exit(1)
  }
  throw error
} finally {
  // `start` resolves once the server listens; every other command is done.
  release()
  // A listening server gives back the young generation that load grew, once quiet (§9); the
  // watch never keeps a finished command's process alive.
  young?.trimWhenIdle()
}
