/**
 * Failures of the data directory's storage (RocksDB under the Corestore) turned into coded
 * errors. RocksDB reports a full disk in its own words ("While appending to file …: No space left
 * on device"), or only as "Batch was not applied" when a write batch fails; neither carries an
 * errno. So: a message naming the condition is classified directly, and any other storage error
 * is classified by asking the file system how much room is left where the data directory is.
 */
import { promises as fs } from 'node:fs'
import { OnsetError } from '../base/errors.ts'

/** Less free space than this on the data directory's disk counts as full. */
const NEARLY_FULL = 64 * 1024 * 1024

export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await fs.statfs(dir)
    return s.bavail * s.bsize
  } catch { return null }
}

/** The coded error for a storage failure under `root`, or null when it is not one we recognise. */
export async function classifyStorageError(err: unknown, root: string): Promise<OnsetError | null> {
  if (err instanceof OnsetError) return null
  const msg = (err as Error)?.message ?? String(err)
  const code = (err as NodeJS.ErrnoException)?.code
  const hint = `free space on the disk holding ${root}, then run the command again: an offload resumes where it stopped`
  if (code === 'ENOSPC' || code === 'EDQUOT' || /no space left on device|disk quota exceeded/i.test(msg)) {
    return new OnsetError('DISK_FULL', `the data directory's disk is full (no space left on device under ${root})`, { hint, cause: err })
  }
  if (/batch was not applied|while (appending|writing|opening)|rocksdb|IO error/i.test(msg)) {
    const free = await freeBytes(root)
    if (free !== null && free < NEARLY_FULL) return new OnsetError('DISK_FULL', `the data directory's disk is full (no space left on device under ${root}: ${Math.floor(free / 1024)} KiB free; the store said: ${msg.slice(0, 200)})`, { hint, cause: err })
    return new OnsetError('IO', `the data directory's store failed under ${root}: ${msg.slice(0, 300)}`, { hint: 'check the disk (dmesg, SMART); the store reopens from its last consistent state', cause: err })
  }
  return null
}
