// Narrow declarations for corestore 7 as onset uses it (one store per peer, many cores).
declare module 'corestore' {
  import type Hypercore from 'hypercore'
  import type { Duplex } from 'node:stream'

  interface GetOptions {
    name?: string
    key?: Uint8Array
    discoveryKey?: Uint8Array
    keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array }
    encryption?: { key: Uint8Array } | null
    valueEncoding?: unknown
    active?: boolean
    exclusive?: boolean
  }

  class Corestore {
    constructor(storage: string, opts?: { primaryKey?: Uint8Array, unsafe?: boolean, allowBackup?: boolean, readOnly?: boolean })
    readonly primaryKey: Buffer
    /** hypercore-storage; `db` is its rocksdb-native session (flush() = memtable → synced SST/blob files) */
    readonly storage: { compact(): Promise<void>, db: { flush(): Promise<void> } }
    ready(): Promise<void>
    close(): Promise<void>
    get<T = Buffer>(opts: GetOptions | string): Hypercore<T>
    namespace(name: string | Uint8Array): Corestore
    session(opts?: Record<string, unknown>): Corestore
    replicate(isInitiator: boolean | Duplex | object, opts?: Record<string, unknown>): Duplex
    findingPeers(): () => void
    createKeyPair(name: string): Promise<{ publicKey: Buffer, secretKey: Buffer }>
  }
  export = Corestore
}
