// Narrow declarations for @hyperswarm/secret-stream 6 (Noise XX over any duplex).
declare module '@hyperswarm/secret-stream' {
  import { Duplex } from 'streamx'
  class NoiseSecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream: unknown, opts?: { keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array }, remotePublicKey?: Uint8Array, handshake?: unknown, autoStart?: boolean })
    static keyPair(seed?: Uint8Array): { publicKey: Buffer, secretKey: Buffer }
    readonly isInitiator: boolean
    readonly publicKey: Buffer | null
    readonly remotePublicKey: Buffer | null
    readonly handshakeHash: Buffer | null
    readonly rawStream: unknown
    readonly opened: Promise<boolean>
    userData: unknown
    setKeepAlive(ms: number): void
    setTimeout(ms: number): void
  }
  export = NoiseSecretStream
}
