// Narrow declarations for protomux 3 (message channels over one stream).
declare module 'protomux' {
  interface Message<T> { send(data: T): boolean, onmessage: ((data: T) => void) | null }
  interface Channel {
    open(handshake?: unknown): void
    close(): void
    addMessage<T = unknown>(opts: { encoding: unknown, onmessage?: (data: T) => void }): Message<T>
    readonly opened: boolean
    readonly closed: boolean
    userData: unknown
  }
  class Protomux {
    static from(stream: unknown, opts?: Record<string, unknown>): Protomux
    createChannel(opts: { protocol: string, id?: Uint8Array | null, handshake?: unknown, unique?: boolean, messages?: unknown[], onopen?: (handshake?: unknown) => void | Promise<void>, onclose?: () => void | Promise<void>, ondestroy?: () => void | Promise<void> }): Channel | null
    pair(opts: { protocol: string, id?: Uint8Array | null }, cb: (id: Uint8Array | null) => void): void
    unpair(opts: { protocol: string, id?: Uint8Array | null }): void
    readonly stream: unknown
  }
  export = Protomux
}
