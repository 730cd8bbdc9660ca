// Narrow declarations for hyperswarm 4 (topic discovery and connections over HyperDHT).
declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events'
  import type HyperDHT from 'hyperdht'
  import type NoiseSecretStream from '@hyperswarm/secret-stream'
  interface PeerInfo { publicKey: Buffer, topics: Buffer[], client: boolean, ban(banned?: boolean): void }
  interface Discovery { flushed(): Promise<void>, destroy(): Promise<void> }
  class Hyperswarm extends EventEmitter {
    constructor(opts?: { keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array }, bootstrap?: unknown[], dht?: HyperDHT, firewall?: (remotePublicKey: Buffer, payload?: unknown) => boolean, maxPeers?: number })
    readonly connections: Set<NoiseSecretStream>
    readonly dht: HyperDHT
    join(topic: Uint8Array, opts?: { server?: boolean, client?: boolean }): Discovery
    leave(topic: Uint8Array): Promise<void>
    joinPeer(publicKey: Uint8Array): void
    leavePeer(publicKey: Uint8Array): void
    flush(): Promise<void>
    destroy(): Promise<void>
    on(event: 'connection', fn: (conn: NoiseSecretStream, info: PeerInfo) => void): this
    on(event: string, fn: (...args: unknown[]) => void): this
  }
  export = Hyperswarm
}
