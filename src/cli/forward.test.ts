import { describe, expect, it } from 'vitest'
import { forwardedArgv } from './forward.ts'

describe('commands forwarded to the running peer', () => {
  it('keeps --json and --production, drops what selects the data directory or key file, and names the command', () => {
    expect(forwardedArgv(['--data', '/d', '--json', 'log', '--card', 'A001'])).toEqual({ command: 'log', argv: ['--json', 'log', '--card', 'A001'] })
    expect(forwardedArgv(['--passphrase-file=/p', '--production', 'abc', 'note', 'A001', 'x'])).toEqual({ command: 'note', argv: ['--production', 'abc', 'note', 'A001', 'x'] })
    expect(forwardedArgv(['--no-passphrase', 'report', 'A001'])).toEqual({ command: 'report', argv: ['report', 'A001'] })
  })

  it('never forwards commands that own the directory or need the terminal', () => {
    for (const c of ['init', 'join', 'peer', 'demo', 'dash', 'bootstrap', 'production', 'offload', 'verify']) expect(forwardedArgv(['--json', c])).toBeNull()
    expect(forwardedArgv(['--json'])).toBeNull()
  })
})
