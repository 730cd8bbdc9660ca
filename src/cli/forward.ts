/**
 * Commands forwarded to the running peer. While `onset peer` runs, it holds the data directory
 * (the Corestore is locked), so a command such as `onset log` or `onset note` cannot open the
 * production itself. The CLI then sends the command line to the peer over the control socket
 * (method `cli`, docs/control.md); the peer runs the very same command on its open production,
 * with paths resolved against the client's working directory, and returns what it printed and
 * its exit status.
 *
 *   params  {"argv":["--json","log","--card","A001"],"cwd":"/abs/dir"}
 *   result  {"code":0,"stdout":"…","stderr":"…"}
 *
 * Only the commands in FORWARDABLE run this way (not init, join, peer, demo, …). Global options
 * that select the data directory or key file are the client's business and are not sent.
 * `offload` and `verify` have their own methods (they stream progress and may repair).
 */
import path from 'node:path'
import { Writable } from 'node:stream'
import { OnsetError } from '../base/errors.ts'
import { Context, Output, type Attached } from './context.ts'
import { buildProgram, runProgram } from './program.ts'

export const FORWARDABLE: ReadonlySet<string> = new Set(['log', 'note', 'policy', 'export', 'mhl', 'invite', 'member', 'members', 'report'])

/** Global options with a value, and the ones that stay with the client. */
const VALUED = new Set(['--data', '--passphrase-file', '--production'])
const CLIENT_ONLY = new Set(['--data', '--passphrase-file', '--no-passphrase'])

export interface ForwardResult { code: number, stdout: string, stderr: string }

/** Split off the global options before the command; returns what the peer should run. */
export function forwardedArgv(argv: readonly string[]): { command: string, argv: string[] } | null {
  const out: string[] = []
  let i = 0
  for (; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('-')) break
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a
    const takesValue = VALUED.has(name) && !a.includes('=')
    if (!CLIENT_ONLY.has(name)) out.push(a, ...(takesValue && argv[i + 1] !== undefined ? [argv[i + 1]!] : []))
    if (takesValue) i++
  }
  const command = argv[i]
  if (command === undefined || !FORWARDABLE.has(command)) return null
  return { command, argv: [...out, ...argv.slice(i)] }
}

/** Client side: ask the running peer to run the command; null when none runs or it may not. */
export async function forwardToPeer(ctx: Context, argv: readonly string[]): Promise<ForwardResult | null> {
  const f = forwardedArgv(argv)
  if (!f) return null
  return ctx.viaPeer<ForwardResult>('cli', { argv: f.argv, cwd: ctx.cwd }, { timeoutMs: 0 })
}

class Collector extends Writable {
  text = ''
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString()
    cb()
  }
}

/** Peer side: run a forwarded command on the open production and capture its output. */
export async function runForwarded(params: unknown, attached: Attached): Promise<ForwardResult> {
  const p = (params ?? {}) as { argv?: unknown, cwd?: unknown }
  if (!Array.isArray(p.argv) || p.argv.length > 256 || !p.argv.every((a) => typeof a === 'string' && a.length < 65536)) throw new OnsetError('MALFORMED', 'cli request: "argv" must be a list of strings')
  if (typeof p.cwd !== 'string' || !path.isAbsolute(p.cwd)) throw new OnsetError('MALFORMED', 'cli request: "cwd" must be an absolute path')
  const argv = p.argv as string[]
  const f = forwardedArgv(argv)
  if (!f || f.argv.length !== argv.length) throw new OnsetError('NOT_AUTHORIZED', `the running peer does not run "${argv.find((a) => !a.startsWith('-')) ?? ''}" for clients`)
  const stdout = new Collector()
  const stderr = new Collector()
  const writeErr = (s: string) => { stderr.write(s) }
  const { program } = buildProgram((opts) => new Context(opts, { env: {}, stdin: process.stdin, stderr: stderr as unknown as NodeJS.WriteStream }, { cwd: p.cwd as string, out: new Output(Boolean(opts.json), stdout, stderr), attached }), writeErr)
  let code: number
  try {
    code = await runProgram(program, argv, writeErr)
  } catch (err) {
    if (err instanceof OnsetError) { writeErr(`onset: ${err.line()}\n`); code = err.exitStatus } else {
      writeErr(`onset: internal error in the running peer (a bug — please report it): ${(err as Error)?.message ?? String(err)}\n`)
      code = 70
    }
  }
  return { code, stdout: stdout.text, stderr: stderr.text }
}
