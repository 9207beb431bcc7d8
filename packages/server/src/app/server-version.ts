import { createRequire } from 'node:module'

/** The server package's version, read from its package.json (src/app and dist/app are both two levels below it). */
export const SERVER_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version
