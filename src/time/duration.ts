import {inputError} from '../errors.js'

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** `90s`, `5m`, `2h`, `1d`, `1h30m` -> milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const t = text.trim().toLowerCase()
  const parts = t.match(/\d+(\.\d+)?\s*[smhd]/g)
  if (!parts || parts.join('').replace(/\s/g, '') !== t.replace(/\s/g, '')) {
    throw inputError('duration.invalid', `${what}: "${text}" is not a duration (e.g. 5m, 2h, 1h30m)`)
  }
  let ms = 0
  for (const p of parts) ms += Number.parseFloat(p) * UNIT_MS[p.trim().slice(-1)]!
  return Math.round(ms)
}

/** 5_400_000 -> `1h30m`; used in playbook windows and countdowns. */
export function formatDuration(ms: number): string {
  const neg = ms < 0
  let rest = Math.abs(Math.round(ms / 1000))
  const d = Math.floor(rest / 86_400)
  rest -= d * 86_400
  const h = Math.floor(rest / 3600)
  rest -= h * 3600
  const m = Math.floor(rest / 60)
  const s = rest - m * 60
  let out = ''
  if (d) out += `${d}d`
  if (h) out += `${h}h`
  if (m) out += `${m}m`
  if (s && !d && !h) out += `${s}s`
  return (neg ? '-' : '') + (out || '0s')
}

/** Relative clock for timelines: T+01:05, T-00:30, T+2d03:00. */
export function formatRelative(ms: number): string {
  const sign = ms < 0 ? '-' : '+'
  const totalMin = Math.floor(Math.abs(ms) / 60_000)
  const days = Math.floor(totalMin / 1440)
  const h = Math.floor((totalMin % 1440) / 60)
  const m = totalMin % 60
  const hhmm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
  return `T${sign}${days ? `${days}d` : ''}${hhmm}`
}
