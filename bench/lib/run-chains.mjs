/** `total` steps over `count` chains run at once, each chain one step at a time (`step(chain)`). */
export async function runChains(count, total, step) {
  let started = 0
  await Promise.all(
    Array.from({ length: count }, async (_, chain) => {
      while (started < total) {
        started++
        await step(chain)
      }
    }),
  )
}
