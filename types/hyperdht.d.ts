// Narrow declarations for hyperdht 6 (the DHT behind Hyperswarm) and its testnet helper.
declare module 'hyperdht' {
  class HyperDHT {
    constructor(opts?: { bootstrap?: (string | { host: string, port: number })[], host?: string, port?: number, keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array }, ephemeral?: boolean, firewalled?: boolean })
    static bootstrapper(port: number, host: string, opts?: Record<string, unknown>): HyperDHT
    static keyPair(seed?: Uint8Array): { publicKey: Buffer, secretKey: Buffer }
    ready(): Promise<void>
    destroy(): Promise<void>
    address(): { host: string, port: number }
  }
  export = HyperDHT
}
declare module 'hyperdht/testnet.js' {
  import type HyperDHT from 'hyperdht'
  interface Testnet { bootstrap: { host: string, port: number }[], nodes: HyperDHT[], createNode(opts?: Record<string, unknown>): HyperDHT, destroy(): Promise<void> }
  function createTestnet(size?: number, opts?: { host?: string, port?: number, teardown?: unknown }): Promise<Testnet>
  export = createTestnet
}
