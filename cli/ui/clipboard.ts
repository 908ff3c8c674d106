import {spawnSync} from 'node:child_process'

// Copying an item's commands: a clipboard tool when one is installed and can
// reach a display, else the terminal's own clipboard through OSC 52 (which
// works over ssh and in tmux with set-clipboard on). OSC 52 cannot report
// whether the terminal accepted it, so those commands are printed on exit too.

export type CopyOutcome = {via: 'tool'; tool: string} | {via: 'osc52'}

interface Tool {
  cmd: string
  args: string[]
  when: (env: NodeJS.ProcessEnv, platform: NodeJS.Platform) => boolean
}

const TOOLS: Tool[] = [
  {cmd: 'pbcopy', args: [], when: (_, p) => p === 'darwin'},
  {cmd: 'wl-copy', args: [], when: (env) => Boolean(env.WAYLAND_DISPLAY)},
  {cmd: 'xclip', args: ['-selection', 'clipboard'], when: (env) => Boolean(env.DISPLAY)},
  {cmd: 'xsel', args: ['--clipboard', '--input'], when: (env) => Boolean(env.DISPLAY)},
  {cmd: 'clip.exe', args: [], when: (env) => Boolean(env.WSL_DISTRO_NAME)},
]

/** The OSC 52 sequence that asks the terminal to put `text` on the clipboard. */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`
}

export interface CopyOptions {
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  /** Where the OSC 52 sequence goes (the terminal). */
  write: (data: string) => void
}

export function copyText(text: string, o: CopyOptions): CopyOutcome {
  const env = o.env ?? process.env
  const platform = o.platform ?? process.platform
  if (env.LEAKCTL_CLIPBOARD !== 'osc52') {
    for (const t of TOOLS) {
      if (!t.when(env, platform)) continue
      const r = spawnSync(t.cmd, t.args, {input: text, timeout: 2000, stdio: ['pipe', 'ignore', 'ignore']})
      if (!r.error && r.status === 0) return {via: 'tool', tool: t.cmd}
    }
  }
  o.write(osc52(text))
  return {via: 'osc52'}
}
