/**
 * ASC MHL histories: the `ascmhl/` folder inside a copy of a card. The public face of this
 * folder: import from here.
 *
 *   ascmhl/NNNN_<folder name>_<yyyy-mm-dd>_<hhmmss>Z.mhl   one generation per hashing session
 *   ascmhl/ascmhl_chain.xml                                the chain: each generation's file name and c4
 *
 * read.ts   readHistory (parse, schema-check, chain-check, nested histories), latestEntries
 * write.ts  writeGeneration (next generation + chain, directory hashes, atomic)
 * verify.ts verifyHistory (re-hash on disk against the newest records, find new files)
 * See README.md beside this file for the format notes and the directory hash definition.
 */
export { CHAIN_FILE, DEFAULT_IGNORE, MHL_DIR, PREFERRED_HASH_ORDER, XSD_HASH_ORDER } from './types.ts'
export type {
  MhlAction, MhlAuthor, MhlCreator, MhlDirEntry, MhlDirHashes, MhlFileEntry, MhlGeneration, MhlHashInfo,
  MhlHistory, MhlProcess, MhlProcessInfo, MhlReference,
} from './types.ts'
export { latestEntries, latestIgnore, readHistory } from './read.ts'
export { writeGeneration, type WriteGenerationOptions, type WrittenGeneration } from './write.ts'
export { hashFileOnDisk, verifyHistory, type HashFile, type MhlCheck, type MhlMismatch, type MhlVerifyResult, type VerifyOptions } from './verify.ts'
export { c4OfBytes, checkChain, generationName, readChain, type ChainEntry } from './chain.ts'
export { directoryHashes, type DirHash } from './dirhash.ts'
export { compileIgnore, type IgnoreTest } from './ignore.ts'
export { validateMhl, type MhlKind } from './validate.ts'
