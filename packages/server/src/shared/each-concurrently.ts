/**
 * Runs `work` on every item, at most `concurrency` at once, taking items in order; resolves when all
 * are done. A failure rejects at once; the workers already running finish their items.
 */
export async function eachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
