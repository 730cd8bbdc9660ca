import { describe, expect, it } from 'vitest'
import { compileIgnore } from './ignore.ts'

describe('ASC MHL ignore patterns', () => {
  it('follow the gitignore subset the reference tool uses', () => {
    const ig = compileIgnore(['.DS_Store', 'ascmhl', 'ascmhl/', '._*', '*.tmp', 'Proxy/', '/top.txt', 'Clips/**/*.xml', '!keep.tmp', 'file[0-9].log'])
    expect(ig('.DS_Store', false)).toBe(true)
    expect(ig('Clips/.DS_Store', false)).toBe(true)
    expect(ig('ascmhl', true)).toBe(true)
    expect(ig('A001/ascmhl/0001_A001_2020-01-01_000000Z.mhl', false)).toBe(true)
    expect(ig('Clips/._A001C001.mov', false)).toBe(true)
    expect(ig('a/b/c.tmp', false)).toBe(true)
    expect(ig('keep.tmp', false)).toBe(false)
    expect(ig('Proxy', true)).toBe(true)
    expect(ig('Proxy', false)).toBe(false) // a file named Proxy is not the directory
    expect(ig('Proxy/p.mov', false)).toBe(true)
    expect(ig('top.txt', false)).toBe(true)
    expect(ig('sub/top.txt', false)).toBe(false)
    expect(ig('Clips/a/b/meta.xml', false)).toBe(true)
    expect(ig('Clips/meta.xml', false)).toBe(true)
    expect(ig('Other/meta.xml', false)).toBe(false)
    expect(ig('file7.log', false)).toBe(true)
    expect(ig('fileX.log', false)).toBe(false)
    expect(ig('Clips/A001C001.mov', false)).toBe(false)
    expect(ig('a.b', false)).toBe(false) // dots are literal
  })

  it('ignores comments and blank lines; nothing matches without patterns', () => {
    const ig = compileIgnore(['# comment', '', '   '])
    expect(ig('# comment', false)).toBe(false)
    expect(ig('x', false)).toBe(false)
  })
})
