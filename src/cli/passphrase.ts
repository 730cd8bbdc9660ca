/**
 * Where a passphrase comes from, in order: `--no-passphrase` (explicitly none, only when creating
 * a key file), `--passphrase-file F`, the ONSET_PASSPHRASE environment variable, a hidden prompt
 * on a terminal. With none of these and no terminal, fail at once instead of waiting.
 */
import { promises as fs } from 'node:fs'
import { OnsetError } from '../base/errors.ts'

export interface PassphraseSources {
  passphraseFile?: string | undefined
  noPassphrase?: boolean | undefined
}

export interface PromptIO {
  env: NodeJS.ProcessEnv
  stdin: NodeJS.ReadStream
  stderr: NodeJS.WriteStream
}

const NO_SOURCE_HINT = 'set ONSET_PASSPHRASE, pass --passphrase-file FILE, run in a terminal, or (for a new key) choose --no-passphrase'

async function fromFile(file: string): Promise<string> {
  let s: string
  try { s = await fs.readFile(file, 'utf8') } catch (err) {
    throw new OnsetError('NO_PASSPHRASE_SOURCE', `cannot read passphrase file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  const p = s.replace(/\r?\n$/, '')
  if (p.length === 0) throw new OnsetError('NO_PASSPHRASE_SOURCE', `passphrase file ${file} is empty`)
  return p
}

export function promptHidden(io: PromptIO, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdin, stderr } = io
    stderr.write(question)
    let buf = ''
    const wasRaw = stdin.isRaw
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    const done = (err: Error | null) => {
      stdin.removeListener('data', onData)
      stdin.setRawMode(wasRaw)
      stdin.pause()
      stderr.write('\n')
      if (err) reject(err)
      else resolve(buf)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null)
        if (ch === '\u0003') return done(new OnsetError('USAGE', 'cancelled'))
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1)
        else buf += ch
      }
    }
    stdin.on('data', onData)
  })
}

/** A passphrase for a NEW key file: string, or null when the user explicitly chose none. */
export async function newPassphrase(src: PassphraseSources, io: PromptIO): Promise<string | null> {
  if (src.noPassphrase) return null
  if (src.passphraseFile) return fromFile(src.passphraseFile)
  if (io.env.ONSET_PASSPHRASE) return io.env.ONSET_PASSPHRASE
  if (!io.stdin.isTTY) throw new OnsetError('NO_PASSPHRASE_SOURCE', 'a passphrase is needed to seal the new key file and there is no terminal to ask on', { hint: NO_SOURCE_HINT })
  for (let tries = 0; tries < 3; tries++) {
    const a = await promptHidden(io, 'New passphrase for this peer\'s key file: ')
    if (a.length === 0) { io.stderr.write('The passphrase is empty; try again (or rerun with --no-passphrase).\n'); continue }
    const b = await promptHidden(io, 'Repeat it: ')
    if (a === b) return a
    io.stderr.write('They differ; try again.\n')
  }
  throw new OnsetError('USAGE', 'no passphrase was agreed after 3 tries')
}

/** A passphrase to OPEN an existing sealed key file. */
export async function existingPassphrase(src: PassphraseSources, io: PromptIO, file: string): Promise<string> {
  if (src.passphraseFile) return fromFile(src.passphraseFile)
  if (io.env.ONSET_PASSPHRASE) return io.env.ONSET_PASSPHRASE
  if (!io.stdin.isTTY) throw new OnsetError('NO_PASSPHRASE_SOURCE', `key file ${file} is sealed with a passphrase and there is no terminal to ask on`, { hint: 'set ONSET_PASSPHRASE or pass --passphrase-file FILE' })
  return promptHidden(io, `Passphrase for ${file}: `)
}
