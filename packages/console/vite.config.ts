import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The console is served by Tessera at /console/ under a strict CSP (script-src 'self', no inline
// script, no eval): every asset is a file of our own origin, nothing is inlined as a data: URI.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // Vite's module-preload polyfill is bundled, not inlined; turning it off keeps index.html a plain list of files.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
})
