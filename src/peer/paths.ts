/**
 * A peer's data directory. Default: $ONSET_DATA, else the OS's per-user data directory
 * ($XDG_DATA_HOME/onset or ~/.local/share/onset on Linux, ~/Library/Application Support/onset
 * on macOS, %LOCALAPPDATA%\onset on Windows). Never inside the source tree.
 *
 *   <data>/identity.key     this peer's key file (keys/README.md)
 *   <data>/corestore/       the Corestore: custody log cores, blobs cores, the view
 *   <data>/journal/         offload journals (resumable offloads)
 *   <data>/control.sock     the running peer's control socket (owner-only)
 *   <data>/peer.lock        held while a peer process owns the directory
 */
import os from 'node:os'
import path from 'node:path'

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.ONSET_DATA) return path.resolve(env.ONSET_DATA)
  const home = os.homedir()
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'onset')
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'onset')
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'onset')
}

export interface DataPaths {
  root: string
  keyFile: string
  corestore: string
  journal: string
  controlSocket: string
  lock: string
}

export function dataPaths(root: string): DataPaths {
  const r = path.resolve(root)
  return {
    root: r,
    keyFile: path.join(r, 'identity.key'),
    corestore: path.join(r, 'corestore'),
    journal: path.join(r, 'journal'),
    controlSocket: path.join(r, 'control.sock'),
    lock: path.join(r, 'peer.lock'),
  }
}
