import type { Command } from 'commander'
import { assertNoHome, initHome } from '../../peer/home.ts'
import { PeerKey } from '../../crypto/ids.ts'
import { newPassphrase } from '../passphrase.ts'
import type { Context } from '../context.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('init')
    .description("create this peer's identity (an Ed25519 key pair) in its data directory")
    .option('--kdf <preset>', 'passphrase hashing cost: moderate (default) or interactive', 'moderate')
    .action(async (o: { kdf: string }) => {
      const c = ctx()
      const kdf = o.kdf === 'interactive' ? 'interactive' : 'moderate'
      await assertNoHome(c.dataDir)
      const pass = await newPassphrase(c.passphraseSources, c.io)
      if (pass === null) c.out.warn('the key file is NOT sealed with a passphrase (--no-passphrase): anyone who can read it can act as this peer. It is written mode 0600; keep the disk encrypted.')
      const home = await initHome(c.dataDir, pass, { kdf })
      c.out.result(
        { peer: home.identity.peerKey, short: PeerKey.short(home.identity.peerKey), data: home.paths.root, keyFile: home.paths.keyFile, protection: home.protection },
        () => [
          `created peer ${PeerKey.short(home.identity.peerKey)}`,
          `  peer key   ${home.identity.peerKey}`,
          `  data dir   ${home.paths.root}`,
          `  key file   ${home.paths.keyFile} (${home.protection === 'none' ? 'no passphrase' : 'sealed with a passphrase'})`,
          'Give the peer key to your production admin to be added, or run `onset production create <name>`.',
        ].join('\n'),
      )
    })
}
