import {existsSync} from 'node:fs'

import {type Browser, chromium} from 'playwright-core'

// Debian's Chromium (scripts/setup.sh installs it). Flags keep it off the
// network: this machine has none, and the export must not need any.
export const CHROMIUM = process.env.LEAKCTL_CHROMIUM ?? '/usr/bin/chromium'

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh (apt-get install chromium)`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}
