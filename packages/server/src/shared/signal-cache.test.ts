import { describe, expect, it } from 'vitest'
import { createSignalCacheGroup } from './signal-cache.js'

function counted<V>(value: V) {
  let reads = 0
  return {
    load: async () => {
      reads++
      return value
    },
    get reads() {
      return reads
    },
  }
}

describe('signal cache', () => {
  it('reads through until enabled, then serves what it read', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 10 })
    const cache = group.cache<string>()
    const source = counted('v1')
    await cache.get('k', source.load)
    await cache.get('k', source.load)
    expect(source.reads).toBe(2)
    group.enable()
    expect(await cache.get('k', source.load)).toBe('v1')
    expect(await cache.get('k', source.load)).toBe('v1')
    expect(source.reads).toBe(3)
  })

  it('drops every cache of the group on invalidate, and everything on disable', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 10 })
    const a = group.cache<string>()
    const b = group.cache<number>()
    group.enable()
    await a.get('x', async () => 'a')
    await b.get('x', async () => 1)
    expect(group.size).toBe(2)
    group.invalidate()
    expect(group.size).toBe(0)
    expect(await a.get('x', async () => 'a2')).toBe('a2')
    group.disable()
    expect(group.size).toBe(0)
    await a.get('x', async () => 'a3')
    expect(group.size).toBe(0)
  })

  it('never stores a value whose read was in flight when an invalidation came', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 10 })
    const cache = group.cache<string>()
    group.enable()
    let release: (value: string) => void = () => undefined
    const pending = cache.get('k', () => new Promise<string>((resolve) => (release = resolve)))
    group.invalidate() // the row changed while it was being read
    release('old')
    expect(await pending).toBe('old') // its caller gets what it read...
    expect(await cache.get('k', async () => 'new')).toBe('new') // ...but the cache did not keep it
  })

  it('keeps no absent value, and holds at most its bound (oldest out)', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 2 })
    const cache = group.cache<string>()
    group.enable()
    expect(await cache.get('missing', async () => null)).toBeNull()
    expect(group.size).toBe(0)
    await cache.get('a', async () => 'a')
    await cache.get('b', async () => 'b')
    await cache.get('c', async () => 'c')
    expect(group.size).toBe(2)
    const a = counted('a2')
    expect(await cache.get('a', a.load)).toBe('a2')
    expect(a.reads).toBe(1)
    expect(await cache.get('c', async () => 'other')).toBe('c')
  })

  it('shares one load among concurrent misses of a key while enabled, and each read loads on its own while disabled', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 10 })
    const cache = group.cache<string>()
    const off = counted('v')
    expect(await Promise.all([1, 2, 3].map(() => cache.get('k', off.load)))).toEqual(['v', 'v', 'v'])
    expect(off.reads).toBe(3)
    group.enable()
    const on = counted('v')
    expect(await Promise.all([1, 2, 3].map(() => cache.get('k', on.load)))).toEqual(['v', 'v', 'v'])
    expect(on.reads).toBe(1)
  })

  it('never lets a read that starts after an invalidation join a load that began before it', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 10 })
    const cache = group.cache<string>()
    group.enable()
    let release: (value: string) => void = () => undefined
    const before = cache.get('k', () => new Promise<string>((resolve) => (release = resolve)))
    group.invalidate()
    const after = counted('new')
    const reads = [cache.get('k', after.load), cache.get('k', after.load)]
    release('old')
    expect(await before).toBe('old')
    expect(await Promise.all(reads)).toEqual(['new', 'new'])
    expect(after.reads).toBe(1)
    expect(await cache.get('k', async () => 'other')).toBe('new')
  })

  it('hands a failed load to every read that joined it, and loads again on the next read', async () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 10 })
    const cache = group.cache<string>()
    group.enable()
    let loads = 0
    let fail: (error: Error) => void = () => undefined
    const load = () => {
      loads++
      return new Promise<string>((_, reject) => (fail = reject))
    }
    const reads = [cache.get('k', load), cache.get('k', load)]
    expect(loads).toBe(1)
    fail(new Error('store unavailable'))
    for (const read of reads) await expect(read).rejects.toThrow('store unavailable')
    expect(await cache.get('k', async () => 'v')).toBe('v')
  })

  it('peeks without loading, and keeps a value read elsewhere only when no invalidation came since its read began', () => {
    const group = createSignalCacheGroup({ maxEntriesPerCache: 2 })
    const cache = group.cache<string>()
    cache.keep('k', 'v', cache.since())
    expect(cache.peek('k')).toBeUndefined() // disabled: nothing is stored
    group.enable()
    expect(cache.peek('k')).toBeUndefined()
    const seen = cache.since()
    cache.keep('k', 'v', seen)
    expect(cache.peek('k')).toBe('v')
    // A read that began before an invalidation may predate the change: it is not kept.
    const stale = cache.since()
    group.invalidate()
    cache.keep('k', 'old', stale)
    expect(cache.peek('k')).toBeUndefined()
    cache.keep('k', 'new', cache.since())
    expect(cache.peek('k')).toBe('new')
    // Keeping a held key again replaces it without evicting another; a third key evicts the first kept.
    cache.keep('j', 'w', cache.since())
    cache.keep('k', 'newer', cache.since())
    expect([cache.peek('j'), cache.peek('k')]).toEqual(['w', 'newer'])
    cache.keep('i', 'x', cache.since())
    expect([cache.peek('j'), cache.peek('k'), cache.peek('i')]).toEqual(['w', undefined, 'x'])
  })
})
