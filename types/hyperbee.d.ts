// Narrow declarations for hyperbee 2 as onset uses it (the Autobase view, sorted key-value).
declare module 'hyperbee' {
  import type Hypercore from 'hypercore'

  interface Entry<K, V> { seq: number, key: K, value: V }
  interface RangeOptions<K> { gt?: K, gte?: K, lt?: K, lte?: K, reverse?: boolean, limit?: number }

  class Hyperbee<K = string, V = unknown> {
    constructor(core: Hypercore<Buffer>, opts?: { keyEncoding?: string, valueEncoding?: string, extension?: boolean })
    readonly core: Hypercore<Buffer>
    readonly version: number
    ready(): Promise<void>
    close(): Promise<void>
    put(key: K, value?: V, opts?: Record<string, unknown>): Promise<void>
    get(key: K, opts?: Record<string, unknown>): Promise<Entry<K, V> | null>
    del(key: K, opts?: Record<string, unknown>): Promise<void>
    batch(): { put(key: K, value?: V): Promise<void>, del(key: K): Promise<void>, get(key: K): Promise<Entry<K, V> | null>, flush(): Promise<void>, close(): Promise<void> }
    createReadStream(range?: RangeOptions<K>, opts?: Record<string, unknown>): AsyncIterable<Entry<K, V>>
    snapshot(): Hyperbee<K, V>
  }
  export = Hyperbee
}
