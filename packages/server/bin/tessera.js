#!/usr/bin/env node
// The installed `tessera` command: runs the compiled CLI (built by `npm install` through the
// root `prepare` script, or by `npm run build`).
try {
  await import('../dist/main.js')
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('tessera: not built yet; run `npm run build` first\n')
    process.exit(1)
  }
  throw error
}
