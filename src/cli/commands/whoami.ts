import type { Command } from 'commander'
import { PeerKey } from '../../crypto/ids.ts'
import { keyFileInfo } from '../../crypto/keyfile.ts'
import type { Context } from '../context.ts'
import { OnsetError } from '../../base/errors.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('whoami')
    .description("show this peer's key, its short form and its data directory (no passphrase needed)")
    .action(async () => {
      const c = ctx()
      let info
      try { info = await keyFileInfo(c.paths.keyFile) } catch (err) {
        if (err instanceof OnsetError && err.code === 'KEYFILE_MISSING') throw new OnsetError('NOT_INITIALISED', `no onset peer in ${c.dataDir}`, { hint: 'run `onset init` first, or pass --data DIR' })
        throw err
      }
      const peer = PeerKey.parse(info.peer)
      c.out.result(
        { peer, short: PeerKey.short(peer), data: c.paths.root, keyFile: c.paths.keyFile, protection: info.protection },
        () => [`peer ${PeerKey.short(peer)}`, `  peer key   ${peer}`, `  data dir   ${c.paths.root}`, `  key file   ${c.paths.keyFile} (${info.protection === 'none' ? 'no passphrase' : 'passphrase'})`].join('\n'),
      )
    })
}
