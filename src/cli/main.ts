/**
 * onset's command line. Global options apply to every command. Exit statuses: docs/cli.md.
 */
import { Command, CommanderError } from 'commander'
import { OnsetError } from '../base/errors.ts'
import { Context, type GlobalOptions } from './context.ts'
import { COMMANDS } from './commands/index.ts'
import { VERSION } from './process.ts'


export function buildProgram(): { program: Command, context: () => Context } {
  const program = new Command('onset')
  let context: Context | undefined
  const ctx = (): Context => (context ??= new Context(program.opts<GlobalOptions>()))
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
    .configureOutput({ outputError: (s, write) => write(s) })
  for (const register of COMMANDS) register(program, ctx)
  return { program, context: ctx }
}

export async function run(argv: string[]): Promise<number> {
  const { program } = buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
      return 2
    }
    if (err instanceof OnsetError) {
      process.stderr.write(`onset: ${err.line()}\n`)
      return err.exitStatus
    }
    throw err
  }
}

const isMain = process.argv[1] !== undefined && /onset(\.js)?$|cli[/\\]main\.ts$/.test(process.argv[1])
if (isMain) {
  run(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
    process.stderr.write(`onset: internal error (a bug — please report it):\n${(err as Error)?.stack ?? String(err)}\n`)
    process.exitCode = 70
  })
}
