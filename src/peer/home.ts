/**
 * A peer's home: its data directory and key file. `initHome` creates the identity;
 * `openHome` reads it back (with the passphrase when the key file is sealed).
 */
import { promises as fs } from 'node:fs'
import { OnsetError } from '../base/errors.ts'
import { generateIdentity, type Identity } from '../crypto/identity.ts'
import { keyFileInfo, readKeyFile, writeKeyFile, type HeldProduction, type KdfPreset, type KeyFileContents, type Passphrase } from '../crypto/keyfile.ts'
import { dataPaths, type DataPaths } from './paths.ts'

export interface Home {
  paths: DataPaths
  identity: Identity
  productions: HeldProduction[]
  /** How the key file is protected; `save` keeps the same protection. */
  protection: 'argon2id' | 'none'
}

/** Throws ALREADY_EXISTS when the directory already holds an identity (checked before asking for a passphrase). */
export async function assertNoHome(dataDir: string): Promise<void> {
  const paths = dataPaths(dataDir)
  try {
    await fs.access(paths.keyFile)
  } catch {
    return
  }
  throw new OnsetError('ALREADY_EXISTS', `a peer identity already exists in ${paths.root}`, { hint: 'use `onset whoami` to see it, or --data for another directory' })
}

export async function initHome(dataDir: string, passphrase: Passphrase, opts: { kdf?: KdfPreset } = {}): Promise<Home> {
  const paths = dataPaths(dataDir)
  await assertNoHome(dataDir)
  await fs.mkdir(paths.root, { recursive: true, mode: 0o700 })
  const contents: KeyFileContents = { identity: generateIdentity(), productions: [] }
  await writeKeyFile(paths.keyFile, contents, passphrase, opts)
  return { paths, ...contents, protection: passphrase === null ? 'none' : 'argon2id' }
}

/** Whether the key file needs a passphrase (so the CLI only asks when it must). */
export async function homeNeedsPassphrase(dataDir: string): Promise<boolean> {
  return (await keyFileInfo(dataPaths(dataDir).keyFile)).protection === 'argon2id'
}

export async function openHome(dataDir: string, passphrase: string | undefined): Promise<Home> {
  const paths = dataPaths(dataDir)
  const info = await keyFileInfo(paths.keyFile)
  const c = await readKeyFile(paths.keyFile, passphrase)
  return { paths, ...c, protection: info.protection }
}

/** Rewrite the key file with the home's current productions (atomic). */
export async function saveHome(home: Home, passphrase: Passphrase, opts: { kdf?: KdfPreset } = {}): Promise<void> {
  if (home.protection === 'argon2id' && passphrase === null) throw new Error('a sealed key file needs its passphrase to be saved')
  await writeKeyFile(home.paths.keyFile, { identity: home.identity, productions: home.productions }, home.protection === 'none' ? null : passphrase, { ...opts, replace: true })
}
