/** What every command gets: resolved global options, output, and access to this peer's home. */
import path from 'node:path'
import { OnsetError } from '../base/errors.ts'
import { homeNeedsPassphrase, openHome, type Home } from '../peer/home.ts'
import { dataPaths, defaultDataDir } from '../peer/paths.ts'
import { Production } from '../peer/production.ts'
import { classifyStorageError } from '../peer/storage-errors.ts'
import { ControlClient, type ControlEvent } from '../peer/control/client.ts'
import { existingPassphrase, type PassphraseSources, type PromptIO } from './passphrase.ts'

export interface GlobalOptions {
  data?: string
  json?: boolean
  passphraseFile?: string
  passphrase?: boolean // false when --no-passphrase was given
  production?: string
}

export class Output {
  readonly json: boolean
  private readonly stdout: NodeJS.WritableStream
  private readonly stderr: NodeJS.WritableStream

  constructor(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr) {
    this.json = json
    this.stdout = stdout
    this.stderr = stderr
  }

  /** A command's result: one JSON document with --json, else the human lines. */
  result(value: unknown, human: () => string): void {
    if (this.json) this.stdout.write(JSON.stringify(value) + '\n')
    else this.stdout.write(human() + '\n')
  }

  /** A progress/event line: JSON lines with --json, else human text. */
  line(value: unknown, human: string): void {
    this.result(value, () => human)
  }

  warn(msg: string): void {
    this.stderr.write(`onset: warning: ${msg}\n`)
  }

  info(msg: string): void {
    if (!this.json) this.stderr.write(msg + '\n')
  }
}

/** A production already open in this process: a running peer runs forwarded commands on it. */
export interface Attached {
  home: Home
  production: Production
  /** the passphrase the peer re-seals its key file with (null when unprotected) */
  savePassphrase: string | null
}

export interface ContextExtras {
  /** the directory relative paths in arguments are relative to (the client's, for forwarded commands) */
  cwd?: string
  out?: Output
  attached?: Attached
}

export class Context {
  readonly opts: GlobalOptions
  readonly out: Output
  readonly io: PromptIO
  readonly cwd: string
  readonly attached: Attached | undefined
  private cachedPassphrase: string | undefined

  constructor(opts: GlobalOptions, io: PromptIO = { env: process.env, stdin: process.stdin, stderr: process.stderr }, extras: ContextExtras = {}) {
    this.opts = opts
    this.out = extras.out ?? new Output(Boolean(opts.json))
    this.io = io
    this.cwd = extras.cwd ?? process.cwd()
    this.attached = extras.attached
  }

  /** A path argument, absolute (relative to the user's working directory). */
  resolve(p: string): string {
    return path.resolve(this.cwd, p)
  }

  get dataDir(): string {
    return this.opts.data ?? defaultDataDir(this.io.env)
  }

  get paths() {
    return dataPaths(this.dataDir)
  }

  get passphraseSources(): PassphraseSources {
    return { passphraseFile: this.opts.passphraseFile, noPassphrase: this.opts.passphrase === false }
  }

  /** The passphrase of this peer's key file, asked once. */
  async passphrase(): Promise<string | undefined> {
    if (!(await homeNeedsPassphrase(this.dataDir))) return undefined
    this.cachedPassphrase ??= await existingPassphrase(this.passphraseSources, this.io, this.paths.keyFile)
    return this.cachedPassphrase
  }

  /** The passphrase to re-seal the key file with (null when it is unprotected). */
  async savePassphrase(home: Home): Promise<string | null> {
    if (this.attached) return this.attached.savePassphrase
    return home.protection === 'none' ? null : ((await this.passphrase()) ?? null)
  }

  /** Open this peer's production (the only one, or --production), run fn, close. */
  async withProduction<T>(fn: (p: Production, home: Home) => Promise<T>): Promise<T> {
    if (this.attached) return fn(this.attached.production, this.attached.home)
    const home = await this.home()
    const p = await Production.open(home, this.opts.production)
    try {
      return await fn(p, home)
    } catch (err) {
      // a full disk (or another storage failure) under the data directory: one clear line, not a stack
      throw (await classifyStorageError(err, home.paths.root)) ?? err
    } finally {
      await p.close().catch(() => {})
    }
  }

  /** Ask the running peer (through its control socket) when there is one; null when none runs. */
  async viaPeer<T>(method: string, params?: unknown, o: { timeoutMs?: number, onEvent?: (e: ControlEvent) => void } = {}): Promise<T | null> {
    if (this.attached) return null // already inside the running peer
    let client: ControlClient
    try { client = await ControlClient.connect(this.paths.controlSocket, { timeoutMs: 2000 }) } catch (err) {
      if (err instanceof OnsetError && (err.code === 'PEER_UNREACHABLE' || err.code === 'TIMEOUT')) return null
      throw err
    }
    try {
      if (o.onEvent) { client.onEvent(o.onEvent); await client.subscribe() }
      return await client.call<T>(method, params, o.timeoutMs ?? 30_000)
    } finally { client.close() }
  }

  async home(): Promise<Home> {
    if (this.attached) return this.attached.home
    try {
      return await openHome(this.dataDir, await this.passphrase())
    } catch (err) {
      if (err instanceof OnsetError && err.code === 'KEYFILE_MISSING') {
        throw new OnsetError('NOT_INITIALISED', `no onset peer in ${this.dataDir}`, { hint: 'run `onset init` first, or pass --data DIR' })
      }
      throw err
    }
  }
}
