/**
 * Atomic file replacement: write a temp file in the same directory (O_EXCL, the given mode),
 * fsync it, rename it over the target, fsync the directory. A crash at any point leaves either
 * the old file or the new one, never a torn one; a failure removes the temp file.
 */
import { constants as fsc, promises as fs } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { OnsetError, ioError } from './errors.ts'

export async function atomicWriteFile(file: string, bytes: Uint8Array | string, opts: { replace: boolean, mode?: number, what?: string }): Promise<void> {
  const what = opts.what ?? 'write'
  const dir = path.dirname(file)
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  if (!opts.replace) {
    try {
      await fs.access(file)
      throw new OnsetError('ALREADY_EXISTS', `${file} already exists`, { hint: 'refusing to overwrite it' })
    } catch (err) {
      if (err instanceof OnsetError) throw err
    }
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fh
  try {
    fh = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, opts.mode ?? 0o644)
  } catch (err) {
    throw ioError(err, what, file)
  }
  try {
    await fh.writeFile(bytes)
    await fh.sync()
    await fh.close()
  } catch (err) {
    await fh.close().catch(() => {})
    await fs.rm(tmp, { force: true })
    const e = ioError(err, what, file)
    throw new OnsetError(e.code, `${e.message}; the previous file, if any, is unchanged`, { cause: err })
  }
  try {
    await fs.rename(tmp, file)
  } catch (err) {
    await fs.rm(tmp, { force: true })
    throw new OnsetError('IO', `cannot write ${file}: ${(err as Error).message}`, { hint: 'the previous file, if any, is unchanged' })
  }
  await fsyncDir(dir)
}

export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, 'r')
  try { await dh.sync() } catch { /* some file systems refuse fsync on directories */ } finally { await dh.close() }
}
