/**
 * The custody sink the media pipeline records into, over the custody log: events are queued and
 * appended in batches at each flush (one Autobase update per batch, not per event).
 */
import type { FileHashes } from '../crypto/hashes.ts'
import type { CardId, PeerKey } from '../crypto/ids.ts'
import type { CustodyLog, NewEvent } from '../log/custody-log.ts'
import type { Location } from '../log/events.ts'
import type { CustodySink, RecordedFile } from '../media/custody-sink.ts'

export class LogCustodySink implements CustodySink {
  private readonly log: CustodyLog
  private readonly self: PeerKey
  private readonly epoch: number
  private queue: NewEvent[] = []

  constructor(log: CustodyLog, self: PeerKey, epoch: number) {
    this.log = log
    this.self = self
    this.epoch = epoch
  }

  private push(e: NewEvent): Promise<void> {
    this.queue.push(e)
    return this.queue.length >= 500 ? this.flush() : Promise.resolve()
  }

  cardRegistered(card: CardId, files: number, bytes: number, label: string) { return this.push({ type: 'card.registered', card, files, bytes, label }) }

  async fileRecorded(f: RecordedFile) {
    const cores: string[] = []
    const list = f.chunks.map((c) => {
      let i = cores.indexOf(c.core)
      if (i < 0) { cores.push(c.core); i = cores.length - 1 }
      return [c.id, i, c.block, c.size] as [typeof c.id, number, number, number]
    })
    const epoch = f.chunks[0]?.epoch ?? this.epoch
    // an offload rerun after a crash (its journal behind the log) records nothing twice: the
    // same file with the same content and the same chunks is already in the log
    const have = await this.log.queries.file(f.card, f.path)
    if (have && have.size === f.size && have.hashes.xxh64 === f.hashes.xxh64 && have.hashes.xxh128 === f.hashes.xxh128 &&
      JSON.stringify(have.chunks.list.map((x) => x[0])) === JSON.stringify(list.map((x) => x[0]))) return
    return this.push({ type: 'file.recorded', card: f.card, path: f.path, size: f.size, mtime: f.mtime, hashes: f.hashes, chunks: { cores, list }, epoch })
  }

  copyMade(card: CardId, path: string, location: Location) { return this.push({ type: 'copy.made', card, path, location }) }

  copyVerified(card: CardId, path: string, location: Location, result: 'ok' | 'failed' | 'missing', hashes: FileHashes, detail: string) {
    return this.push({ type: 'copy.verified', card, path, location, result, hashes, detail: detail.slice(0, 2000) })
  }

  mhlWritten(card: CardId, dir: string, generation: number, process: 'in-place' | 'transfer' | 'flatten', c4: string) {
    return this.push({ type: 'mhl.generation', card, peer: this.self, dir, generation, process, c4 })
  }

  alert(kind: string, severity: 'info' | 'warning' | 'critical', message: string, subject: string) {
    return this.push({ type: 'alert.raised', kind: kind.slice(0, 64), severity, message: message.slice(0, 2000), subject: subject.slice(0, 4096) })
  }

  async flush(): Promise<void> {
    if (!this.queue.length) return
    const batch = this.queue
    this.queue = []
    await this.log.appendMany(batch)
  }
}
