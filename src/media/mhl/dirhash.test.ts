import { describe, expect, it } from 'vitest'
import { directoryHashes } from './dirhash.ts'

describe('ASC MHL directory hashes', () => {
  it('reproduce the reference implementation values in the ASC sample history', async () => {
    // shared/ascmhl/samples/scenario_01: file hashes and the directory/root hashes ascmhl.py wrote
    const m = await directoryHashes('xxh64', [
      { path: 'Clips/A002C006_141024_R2EC.mov', hash: '0ea03b369a463d9d' },
      { path: 'Clips/A002C007_141024_R2EC.mov', hash: '7680e5f98f4a80fd' },
      { path: 'Sidecar.txt', hash: '3ab5a4166b9bde44' },
    ])
    expect(m.get('Clips')).toEqual({ content: '4c226b42e27d7af3', structure: '906faa843d591a9f' })
    expect(m.get('')).toEqual({ content: '8d02114c32e28cbe', structure: 'f557f8ca8e5a88ef' })
  })
})
