// Narrow declarations for hypercore 11 as onset uses it (append-only signed logs).
declare module 'hypercore' {
  import type { EventEmitter } from 'node:events'
  import type { Duplex } from 'node:stream'

  interface GetOptions { wait?: boolean, timeout?: number, valueEncoding?: unknown, decrypt?: boolean }
  interface Download { done(): Promise<void>, destroy(): void }
  interface TreeNode { index: number, size: number, hash: Buffer }
  /** what core.proof() returns (read from local storage): a block with its Merkle path and/or the roots of an upgrade */
  interface Proof {
    fork: number
    block: { index: number, value: Buffer | null, nodes: TreeNode[] } | null
    upgrade: { start: number, length: number, nodes: TreeNode[], additionalNodes: TreeNode[], signature: Buffer } | null
  }

  class Hypercore<T = Buffer> extends EventEmitter {
    static MAX_SUGGESTED_BLOCK_SIZE: number
    readonly key: Buffer
    readonly discoveryKey: Buffer
    readonly length: number
    readonly contiguousLength: number
    readonly byteLength: number
    readonly fork: number
    readonly writable: boolean
    readonly readable: boolean
    readonly closed: boolean
    readonly opened: boolean
    readonly padding: number
    readonly peers: unknown[]
    readonly encryption: unknown
    ready(): Promise<void>
    close(): Promise<void>
    append(block: T | T[]): Promise<{ length: number, byteLength: number }>
    get(index: number, opts?: GetOptions): Promise<T | null>
    has(start: number, end?: number): Promise<boolean>
    update(opts?: { wait?: boolean }): Promise<boolean>
    download(range?: { start?: number, end?: number, blocks?: number[], linear?: boolean }): Download
    clear(start: number, end?: number): Promise<unknown>
    truncate(length: number): Promise<void>
    treeHash(length?: number): Promise<Buffer>
    proof(opts: { block?: { index: number, nodes: number } | null, upgrade?: { start: number, length: number } | null }): Promise<Proof>
    info(opts?: { storage?: boolean }): Promise<unknown>
    session(opts?: Record<string, unknown>): Hypercore<T>
    replicate(isInitiator: boolean | Duplex | object, opts?: Record<string, unknown>): Duplex
    findingPeers(): () => void
  }
  export = Hypercore
}
