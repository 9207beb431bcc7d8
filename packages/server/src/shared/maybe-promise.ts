/**
 * `next` of a value that may still be a promise (a cached read that held nothing, issue 17): at once,
 * in the caller's turn, when the value is there; when it settles otherwise. Lets a path that usually
 * awaits nothing make no promise (docs/architecture.md §9).
 */
export function settled<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value)
}
