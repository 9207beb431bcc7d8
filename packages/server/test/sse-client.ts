/** A minimal Server-Sent Events reader for tests: connects with fetch and yields parsed events. */
export interface SseEvent {
  event: string
  id: string | undefined
  data: unknown
}

export interface SseConnection {
  status: number
  /** Resolves with the next event matching `predicate`, or rejects after `timeoutMs`. */
  next(predicate?: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>
  close(): void
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const events: SseEvent[] = []
  const waiters: (() => void)[] = []
  if (response.body) {
    void (async () => {
      const decoder = new TextDecoder()
      let buffer = ''
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true })
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const fields = Object.fromEntries(
              block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
            )
            events.push({ event: fields.event ?? 'message', id: fields.id, data: fields.data ? JSON.parse(fields.data) : undefined })
            for (const wake of waiters.splice(0)) wake()
            end = buffer.indexOf('\n\n')
          }
        }
      } catch {
        // aborted
      }
    })()
  }
  return {
    status: response.status,
    async next(predicate = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const index = events.findIndex(predicate)
        if (index >= 0) return events.splice(0, index + 1).at(-1) as SseEvent
        const left = deadline - Date.now()
        if (left <= 0) throw new Error('no matching event in time')
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => {
            clearTimeout(timer)
            resolve()
          })
        })
      }
    },
    close: () => controller.abort(),
  }
}
