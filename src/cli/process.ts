/** Process-level helpers the long-running commands share: the version, and waiting for Ctrl-C. */
import { readFileSync } from 'node:fs'

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** Resolves after the first SIGINT or SIGTERM, once `cleanup` has finished. */
export function untilSignal(cleanup: () => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      void cleanup().catch(() => {}).then(() => resolve())
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
