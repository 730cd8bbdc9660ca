/**
 * Production secrets and the keys derived from them.
 *
 * A production has one 32-byte **root secret**, made by the admin who creates it, and one
 * 32-byte **epoch secret** per data-key epoch (epoch 0's secret is the root secret; every
 * revocation starts a new epoch with a fresh random secret, sealed only to the members who
 * remain). Members receive these sealed to their identity key (see seal.ts); they never travel
 * in an invite or a config file.
 *
 * KDF (documented in keys/README.md, pinned by keys/vectors.json):
 *
 *     derive(secret, label) = BLAKE2b-256(key = secret, message = "onset/kdf/v1" 0x00 label)
 *
 *   log key         derive(root, "log-key")              encrypts the custody log's cores
 *   chunk-id key    derive(root, "chunk-id-key")         keys BLAKE2b-256 chunk ids (stable, so dedup
 *                                                        works across epochs)
 *   data key e      derive(epochSecret[e], "data-key")   Hypercore block encryption of media chunks
 *   topic           BLAKE2b-256(key = productionKey, message = "onset/topic/v1")
 *                                                        the Hyperswarm discovery topic (public: it
 *                                                        is derived from the production key, not a secret)
 */
import sodium from 'sodium-native'
import { randomBytes } from './identity.ts'

const KDF_PREFIX = Buffer.from('onset/kdf/v1\0', 'ascii')

export type KeyLabel = 'log-key' | 'chunk-id-key' | 'data-key'

export function derive(secret: Uint8Array, label: KeyLabel): Buffer {
  if (secret.byteLength !== 32) throw new Error('secrets are 32 bytes')
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, Buffer.concat([KDF_PREFIX, Buffer.from(label, 'ascii')]), secret)
  return out
}

export function newSecret(): Buffer {
  return randomBytes(32)
}

export function topicFor(productionKey: Uint8Array): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, Buffer.from('onset/topic/v1', 'ascii'), productionKey)
  return out
}

/** The secrets one member holds for one production. */
export class ProductionSecrets {
  readonly root: Buffer
  private readonly epochs: Map<number, Buffer>

  constructor(root: Uint8Array, epochs: Iterable<[number, Uint8Array]> = []) {
    if (root.byteLength !== 32) throw new Error('root secret must be 32 bytes')
    this.root = Buffer.from(root)
    this.epochs = new Map([[0, this.root]])
    for (const [e, s] of epochs) {
      if (s.byteLength !== 32) throw new Error('epoch secret must be 32 bytes')
      if (e !== 0) this.epochs.set(e, Buffer.from(s))
    }
  }

  static create(): ProductionSecrets {
    return new ProductionSecrets(newSecret())
  }

  get logKey(): Buffer { return derive(this.root, 'log-key') }
  get chunkIdKey(): Buffer { return derive(this.root, 'chunk-id-key') }

  /** The newest epoch this member holds. */
  get currentEpoch(): number { return Math.max(...this.epochs.keys()) }

  dataKey(epoch = this.currentEpoch): Buffer {
    const s = this.epochs.get(epoch)
    if (!s) throw new Error(`no secret for data-key epoch ${epoch}`)
    return derive(s, 'data-key')
  }

  hasEpoch(epoch: number): boolean { return this.epochs.has(epoch) }

  epochSecret(epoch: number): Buffer | undefined { return this.epochs.get(epoch) }

  addEpoch(epoch: number, secret: Uint8Array): void {
    if (epoch <= 0 || !Number.isInteger(epoch)) throw new Error('epochs after 0 are positive integers')
    if (secret.byteLength !== 32) throw new Error('epoch secret must be 32 bytes')
    this.epochs.set(epoch, Buffer.from(secret))
  }

  /** Every epoch and its secret, ascending, epoch 0 included. */
  entries(): [number, Buffer][] {
    return [...this.epochs.entries()].sort((a, b) => a[0] - b[0])
  }
}
