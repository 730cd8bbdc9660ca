// Narrow declarations for autobase 7 as onset uses it (the multi-writer custody log).
declare module 'autobase' {
  import type { EventEmitter } from 'node:events'
  import type { Duplex } from 'node:stream'
  import type Corestore from 'corestore'
  import type Hypercore from 'hypercore'

  namespace Autobase {
  interface ApplyNode<T> {
    value: T | null
    from: { key: Buffer }
    length: number
    indexed: boolean
    optimistic?: boolean
  }

  interface Host {
    addWriter(key: Uint8Array, opts?: { indexer?: boolean }): Promise<void>
    removeWriter(key: Uint8Array): Promise<void>
    ackWriter(key: Uint8Array): Promise<void>
    removeable(key: Uint8Array): boolean
    interrupt(reason?: string): void
  }

  interface Handlers<T, V> {
    open(store: Corestore, host?: Host): V
    apply(nodes: ApplyNode<T>[], view: V, host: Host): Promise<void>
    close?(view: V): Promise<void>
    valueEncoding?: unknown
    ackInterval?: number
    encryptionKey?: Uint8Array | Promise<Uint8Array> | null
    encrypt?: boolean
    encrypted?: boolean
    optimistic?: boolean
    fastForward?: boolean | { key: Uint8Array }
  }

  }

  class Autobase<T = unknown, V = unknown> extends EventEmitter {
    constructor(store: Corestore, bootstrap: Uint8Array | null, handlers: Autobase.Handlers<T, V>)
    readonly key: Buffer
    readonly discoveryKey: Buffer
    readonly local: Hypercore
    readonly view: V
    readonly writable: boolean
    readonly isIndexer: boolean
    readonly length: number
    readonly signedLength: number
    readonly closed: boolean
    readonly closing: Promise<void> | null
    readonly opened: boolean
    /** ask Autobase to check these writer cores (length -1: whatever they hold); wake-up after idle */
    hintWakeup(hints: { key: Uint8Array, length: number }[]): void
    readonly core: Hypercore
    readonly system: {
      core: Hypercore
      /** a writer's entry in the system view (removed ones too); `length` is where a removed writer was cut off */
      get(key: Uint8Array): Promise<{ isIndexer: boolean, isRemoved: boolean, length: number } | null>
    }
    readonly store: Corestore
    ready(): Promise<void>
    close(): Promise<void>
    /** an array is appended as one batch (applied together) */
    append(value: T | T[], opts?: { optimistic?: boolean }): Promise<void>
    update(): Promise<void>
    ack(bg?: boolean): Promise<void>
    hash(): Promise<Buffer>
    heads(): unknown[]
    replicate(isInitiator: boolean | Duplex | object, opts?: Record<string, unknown>): Duplex
  }
  export = Autobase
}
