/** Whatever was thrown, as an Error to show (a rejected fetch, a problem document, a string). */
export function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught))
}
