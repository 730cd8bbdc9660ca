/**
 * onset's command line. Global options apply to every command. Exit statuses: docs/cli.md.
 */
import { OnsetError } from '../base/errors.ts'
import { forwardToPeer } from './forward.ts'
import { buildProgram, runProgram } from './program.ts'


export async function run(argv: string[]): Promise<number> {
  const { program, context } = buildProgram()
  try {
    return await runProgram(program, argv, (s) => process.stderr.write(s))
  } catch (err) {
    // the data directory is held by a running peer: it runs the command (when it is one it may)
    if (err instanceof OnsetError && err.code === 'LOCKED') {
      let r
      try { r = await forwardToPeer(context(), argv) } catch (e) {
        // a peer that cannot run it (a blind vault, an older version): its one line, not a stack
        if (!(e instanceof OnsetError)) throw e
        process.stderr.write(`onset: ${err.line()}; the running peer could not run it either: ${e.line()}\n`)
        return err.exitStatus
      }
      if (r) {
        process.stdout.write(r.stdout)
        process.stderr.write(r.stderr)
        return r.code
      }
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
