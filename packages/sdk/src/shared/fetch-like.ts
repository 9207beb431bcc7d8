/**
 * The subset of WHATWG `fetch` the verifier uses. Node 20's global `fetch` fits; inject another
 * (a proxy-aware one, or a fake in tests) through `createVerifier({ fetch })`.
 *
 * @example
 * const fetch: FetchLike = (input, init) => globalThis.fetch(input, init)
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>
