/**
 * Coded errors. A bug throws a plain Error (and crashes loudly); a failure caused by data,
 * a peer, the disk or the user throws an OnsetError with a stable `code`. The CLI prints
 * `onset: <message>` on one line and exits with the status of the code's class below.
 *
 * Exit statuses (documented in docs/cli.md):
 *   0  success
 *   1  a check answered "no" (e.g. safe-to-format said the card is not safe, verify found damage)
 *   2  usage: bad arguments or options
 *   3  key material: wrong passphrase, tampered/truncated key file, wrong permissions, no passphrase source
 *   4  data: malformed or tampered input (events, MHL, tokens, chunks), hash mismatch
 *   5  state: not initialised, no production, already exists, not found, conflicting file
 *   6  peer / network: refused, unauthorized, unreachable, protocol mismatch
 *   7  I/O: disk full, unreadable file, permission denied
 *  70  internal bug (uncaught exception)
 */
export const ERROR_CODES = {
  USAGE: 2,
  BAD_ARGUMENT: 2,
  WRONG_PASSPHRASE: 3,
  KEYFILE_CORRUPT: 3,
  KEYFILE_VERSION: 3,
  KEYFILE_PERMISSIONS: 3,
  KEYFILE_MISSING: 3,
  NO_PASSPHRASE_SOURCE: 3,
  SEAL_OPEN_FAILED: 3,
  BAD_SIGNATURE: 4,
  MALFORMED: 4,
  TAMPERED: 4,
  HASH_MISMATCH: 4,
  CHUNK_CORRUPT: 4,
  MHL_INVALID: 4,
  TOKEN_INVALID: 4,
  TOKEN_EXPIRED: 4,
  TOKEN_REUSED: 4,
  NOT_INITIALISED: 5,
  ALREADY_EXISTS: 5,
  NOT_FOUND: 5,
  NO_PRODUCTION: 5,
  NOT_AUTHORIZED: 5,
  DEST_CONFLICT: 5,
  LOCKED: 5,
  STORE_MOVED: 5,
  NOT_SAFE: 1,
  VERIFY_FAILED: 1,
  PEER_REFUSED: 6,
  PEER_UNREACHABLE: 6,
  PROTOCOL_MISMATCH: 6,
  TIMEOUT: 6,
  DISK_FULL: 7,
  IO: 7,
  UNREADABLE: 7,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class OnsetError extends Error {
  readonly code: ErrorCode
  /** What the user can do about it, appended to the one-line message by the CLI. */
  readonly hint: string | undefined

  constructor(code: ErrorCode, message: string, opts: { hint?: string, cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'OnsetError'
    this.code = code
    this.hint = opts.hint
  }

  get exitStatus(): number {
    return ERROR_CODES[this.code]
  }

  /** The single line the CLI prints. */
  line(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message
  }
}

export function isOnsetError(err: unknown, code?: ErrorCode): err is OnsetError {
  return err instanceof OnsetError && (code === undefined || err.code === code)
}

/** Map a Node system error (ENOSPC, EACCES, ...) met while touching `path` to an OnsetError. */
export function ioError(err: unknown, what: string, path: string): OnsetError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OnsetError('DISK_FULL', `${what}: no space left on device at ${path}`, { hint: 'free space or choose another destination', cause: err })
    case 'EACCES':
    case 'EPERM':
      return new OnsetError('UNREADABLE', `${what}: permission denied at ${path}`, { hint: 'check the file permissions', cause: err })
    case 'ENOENT':
      return new OnsetError('NOT_FOUND', `${what}: ${path} does not exist`, { cause: err })
    case 'EROFS':
      return new OnsetError('IO', `${what}: ${path} is on a read-only file system`, { cause: err })
    case 'EIO':
      return new OnsetError('IO', `${what}: I/O error at ${path}`, { hint: 'the medium may be failing', cause: err })
    default:
      return new OnsetError('IO', `${what}: ${path}: ${(err as Error)?.message ?? String(err)}`, { cause: err })
  }
}
