/**
 * The typed records of an ASC MHL history (what `readHistory` returns and `writeGeneration`
 * takes). Times are milliseconds since the epoch (UTC); MHL files carry them to the second.
 * Paths are relative POSIX paths from the history root (the card folder), never absolute.
 */
import type { FileHashes, HashAlgo } from '../../crypto/hashes.ts'

export const MHL_DIR = 'ascmhl'
export const CHAIN_FILE = 'ascmhl_chain.xml'
/** The reference tool writes the first three; onset also skips macOS/Windows litter. */
export const DEFAULT_IGNORE: readonly string[] = ['.DS_Store', 'ascmhl', 'ascmhl/', '._*', 'Thumbs.db']
/** The order the schema requires for hash elements inside <hash>, <content>, <structure>. */
export const XSD_HASH_ORDER: readonly HashAlgo[] = ['c4', 'md5', 'sha1', 'xxh128', 'xxh3', 'xxh64']
/** Which algorithm onset prefers when it has to pick one (directory hashes, verification). */
export const PREFERRED_HASH_ORDER: readonly HashAlgo[] = ['xxh64', 'xxh128', 'xxh3', 'md5', 'sha1', 'c4']

export type MhlProcess = 'in-place' | 'transfer' | 'flatten'
export type MhlAction = 'original' | 'verified' | 'failed'

/** The action and date of one hash value. */
export interface MhlHashInfo { action: MhlAction, hashdate: number }

/** One <hash> element: a file and its hashes. */
export interface MhlFileEntry {
  path: string
  /** bytes; -1 when the file recorded no size */
  size: number
  /** lastmodificationdate (ms); 0 when not recorded */
  mtime: number
  hashes: FileHashes
  /** action of every hash value unless `hashInfo` says otherwise (on read: of the first hash element) */
  action: MhlAction
  /** hashdate of every hash value unless `hashInfo` says otherwise */
  hashdate: number
  /** per-algorithm action/hashdate; on read it is filled for every hash present */
  hashInfo?: Partial<Record<HashAlgo, MhlHashInfo>>
  /** <previousPath> of a renamed file (flatten) */
  previousPath?: string
}

/** Content and structure hashes of one directory, per algorithm. */
export interface MhlDirHashes {
  content: FileHashes
  structure: FileHashes
}

/** One <directoryhash> element. */
export interface MhlDirEntry extends MhlDirHashes {
  path: string
  mtime: number
}

export interface MhlAuthor { name: string, email?: string, phone?: string, role?: string }

export interface MhlCreator {
  createdAt: number | null
  hostname: string
  tool: { name: string, version: string }
  authors: MhlAuthor[]
  location?: string
  comment?: string
}

export interface MhlProcessInfo {
  process: string
  rootHash: MhlDirHashes | null
  ignore: string[]
}

/** One <hashlistreference>: a generation of a nested history. */
export interface MhlReference { path: string, c4: string }

export interface MhlGeneration {
  generation: number
  /** absolute path of the .mhl file */
  file: string
  /** c4 of the file's bytes (equal to the chain's, or reading failed) */
  c4: string
  creator: MhlCreator
  processInfo: MhlProcessInfo
  files: MhlFileEntry[]
  directories: MhlDirEntry[]
  referenceEntries: MhlReference[]
  // shorthands kept for callers of the first version of this module
  createdAt: number | null
  /** tool name and version, e.g. "ascmhl.py 0.3 alpha" */
  tool: string
  hostname: string
  process: string
  /** paths of the referenced nested generation files, relative to the history root */
  references: string[]
}

export interface MhlHistory {
  root: string
  generations: MhlGeneration[]
  /** nested histories, keyed by their path relative to this root */
  children: Map<string, MhlHistory>
}
