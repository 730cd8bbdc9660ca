/** The commander program: global options, every command, and how errors become exit statuses. */
import { Command, CommanderError } from 'commander'
import { OnsetError } from '../base/errors.ts'
import { Context, type GlobalOptions } from './context.ts'
import { COMMANDS } from './commands/index.ts'
import { VERSION } from './process.ts'

export function buildProgram(makeContext: (opts: GlobalOptions) => Context = (opts) => new Context(opts), writeErr?: (s: string) => void): { program: Command, context: () => Context } {
  const program = new Command('onset')
  let context: Context | undefined
  const ctx = (): Context => (context ??= makeContext(program.opts<GlobalOptions>()))
  program
    .description('peer-to-peer custody and sync for camera media: verified offload, encrypted replication, replica health')
    .version(VERSION, '-V, --version')
    .option('--data <dir>', "this peer's data directory (default: $ONSET_DATA or the per-user data directory)")
    .option('--json', 'machine-readable output: one JSON document, or JSON lines for progress')
    .option('--passphrase-file <file>', "read the key file's passphrase from a file")
    .option('--no-passphrase', 'with init: protect the key file by permissions only (no passphrase)')
    .option('--production <key>', 'which production (key, key prefix or name) when this peer holds several')
    .showHelpAfterError('(run `onset --help` for usage)')
    .exitOverride()
    .configureOutput(writeErr ? { outputError: (s) => writeErr(s), writeErr, writeOut: writeErr } : { outputError: (s, write) => write(s) })
  for (const register of COMMANDS) register(program, ctx)
  return { program, context: ctx }
}

/**
 * Parse and run; returns the exit status. Coded errors print one line (`onset: …`) through
 * writeErr; LOCKED is rethrown so the caller can forward the command to the running peer.
 */
export async function runProgram(program: Command, argv: string[], writeErr: (s: string) => void): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
      return 2
    }
    if (err instanceof OnsetError) {
      if (err.code === 'LOCKED') throw err
      writeErr(`onset: ${err.line()}\n`)
      return err.exitStatus
    }
    throw err
  }
}
