import type { Scenario } from '../harness/runner.ts'
import { revoked } from './revoked.ts'
import { shoot } from './shoot.ts'
import { units } from './units.ts'

export const SCENARIOS: Scenario[] = [shoot, units, revoked]
