// The import direction of DESIGN.md is enforced by the lint config; prove the rule bites.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: file })
  return (r?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`)
}

describe('layering lint', () => {
  it('a lower layer importing a higher one is an error', async () => {
    const p = await problems('src/store/probe.ts', "import { x } from '../log/custody-log.ts'\nexport const y = x\n")
    expect(p.join('\n')).toMatch(/src\/store must not import from log/)
  })

  it('core importing ink or react is an error; the TUI may', async () => {
    expect((await problems('src/peer/probe.ts', "import { render } from 'ink'\nexport const r = render\n")).join()).toMatch(/core never imports the TUI/)
    expect((await problems('src/tui/probe.ts', "import { render } from 'ink'\nexport const r = render\n")).join()).not.toMatch(/no-restricted-imports/)
  })

  it('only src/crypto imports sodium-native', async () => {
    expect((await problems('src/store/probe.ts', "import s from 'sodium-native'\nexport const t = s\n")).join()).toMatch(/only src\/crypto/)
    expect((await problems('src/crypto/probe.ts', "import s from 'sodium-native'\nexport const t = s\n")).join()).not.toMatch(/no-restricted-imports/)
  })

  it('core never prints', async () => {
    expect((await problems('src/log/probe.ts', "console.log('x')\n")).join()).toMatch(/no-console/)
  })

  it('a higher layer may import a lower one', async () => {
    expect(await problems('src/peer/probe.ts', "import { x } from '../log/custody-log.ts'\nexport const y = x\n")).toEqual([])
  })
})
