/**
 * What the media pipeline records, as an interface: the peer implements it over the custody log
 * (batching appends), tests use MemoryCustodySink. Every call is a fact that is already true and
 * durable on disk when it is made.
 */
import type { FileHashes } from '../crypto/hashes.ts'
import type { CardId } from '../crypto/ids.ts'
import type { Location } from '../log/events.ts'
import type { ChunkRef } from '../store/chunk-store.ts'

export interface RecordedFile {
  card: CardId
  path: string
  size: number
  mtime: number
  hashes: FileHashes
  chunks: ChunkRef[]
}

export interface CustodySink {
  cardRegistered(card: CardId, files: number, bytes: number, label: string): Promise<void>
  fileRecorded(f: RecordedFile): Promise<void>
  copyMade(card: CardId, path: string, location: Location): Promise<void>
  copyVerified(card: CardId, path: string, location: Location, result: 'ok' | 'failed' | 'missing', hashes: FileHashes, detail: string): Promise<void>
  mhlWritten(card: CardId, dir: string, generation: number, process: 'in-place' | 'transfer' | 'flatten', c4: string): Promise<void>
  alert(kind: string, severity: 'info' | 'warning' | 'critical', message: string, subject: string): Promise<void>
  /** make everything recorded so far durable in the log */
  flush(): Promise<void>
}

export type SinkRecord = { op: keyof CustodySink, args: unknown[] }

/** Records calls in memory, in order. */
export class MemoryCustodySink implements CustodySink {
  readonly records: SinkRecord[] = []
  private rec(op: keyof CustodySink, ...args: unknown[]): Promise<void> { this.records.push({ op, args }); return Promise.resolve() }
  cardRegistered(...a: Parameters<CustodySink['cardRegistered']>) { return this.rec('cardRegistered', ...a) }
  fileRecorded(...a: Parameters<CustodySink['fileRecorded']>) { return this.rec('fileRecorded', ...a) }
  copyMade(...a: Parameters<CustodySink['copyMade']>) { return this.rec('copyMade', ...a) }
  copyVerified(...a: Parameters<CustodySink['copyVerified']>) { return this.rec('copyVerified', ...a) }
  mhlWritten(...a: Parameters<CustodySink['mhlWritten']>) { return this.rec('mhlWritten', ...a) }
  alert(...a: Parameters<CustodySink['alert']>) { return this.rec('alert', ...a) }
  flush() { return Promise.resolve() }
}
