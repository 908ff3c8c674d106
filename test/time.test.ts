import {describe, expect, it} from 'vitest'

import {isLeakctlError} from '../src/errors.js'
import {formatDuration, formatRelative, parseDuration} from '../src/time/duration.js'
import {parseInstant} from '../src/time/instant.js'
import {parseWindow} from '../src/time/window.js'

const now = new Date('2026-11-22T12:00:00Z')

describe('parseInstant', () => {
  it('reads ISO-8601 instants with a zone, bare dates, now and "ago"', () => {
    expect(parseInstant('2026-11-22T09:14:00Z', 't').toISOString()).toBe('2026-11-22T09:14:00.000Z')
    expect(parseInstant('2026-11-22 10:14+01:00', 't').toISOString()).toBe('2026-11-22T09:14:00.000Z')
    expect(parseInstant('2026-11-22T10:14:30.5+0100', 't').toISOString()).toBe('2026-11-22T09:14:30.500Z')
    expect(parseInstant('2026-11-21', 't').toISOString()).toBe('2026-11-21T00:00:00.000Z')
    expect(parseInstant('now', 't', now).toISOString()).toBe(now.toISOString())
    expect(parseInstant('90m ago', 't', now).toISOString()).toBe('2026-11-22T10:30:00.000Z')
    expect(parseInstant('2d ago', 't', now).toISOString()).toBe('2026-11-20T12:00:00.000Z')
  })

  it('refuses a time without a zone, and garbage, as input errors that say what to type', () => {
    const noZone = (() => {
      try {
        parseInstant('2026-11-22T09:14', '--exposed-at')
      } catch (error) {
        return error
      }
    })()
    expect(isLeakctlError(noZone) && noZone.exitCode).toBe(2)
    expect((noZone as Error).message).toContain('2026-11-22T09:14Z')
    expect(() => parseInstant('yesterday-ish', '--since')).toThrow(/--since: "yesterday-ish" is not a time/)
    expect(() => parseInstant('2026-13-45T00:00:00Z', '--since')).toThrow(/not a valid date/)
  })
})

describe('durations and windows', () => {
  it('parses and formats durations', () => {
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/)
    expect(formatDuration(5_400_000)).toBe('1h30m')
    expect(formatDuration(-90_000)).toBe('-1m30s')
    expect(formatDuration(0)).toBe('0s')
  })

  it('formats relative clocks for timelines', () => {
    expect(formatRelative(65 * 60_000)).toBe('T+01:05')
    expect(formatRelative(-30 * 60_000)).toBe('T-00:30')
    expect(formatRelative((2 * 1440 + 3 * 60) * 60_000)).toBe('T+2d03:00')
  })

  it('parses every window form of the playbooks', () => {
    expect(parseWindow('0-5m')).toEqual({label: '0-5m', startMs: 0, endMs: 300_000})
    expect(parseWindow('5-30m')).toEqual({label: '5-30m', startMs: 300_000, endMs: 1_800_000})
    expect(parseWindow('30m-2h')).toEqual({label: '30m-2h', startMs: 1_800_000, endMs: 7_200_000})
    expect(parseWindow('2-8h')).toEqual({label: '2-8h', startMs: 7_200_000, endMs: 28_800_000})
    expect(parseWindow('4h+')).toEqual({label: '4h+', startMs: 14_400_000, endMs: null})
    expect(parseWindow('after')).toEqual({label: 'after', startMs: null, endMs: null})
    expect(parseWindow('8-2h')).toMatch(/ends before it starts/)
    expect(parseWindow('soon')).toMatch(/is not a window/)
  })
})

describe('utcAndLocal', () => {
  it('half past midnight is 00:32, never 24:32 (ICU picks h24 for hour12: false)', async () => {
    const {utcAndLocal} = await import('../cli/render/text.js')
    const saved = process.env.TZ
    expect(utcAndLocal('2026-12-04T00:32:00.000Z')).toMatch(/^2026-12-04 00:32Z \(.*\b(?!24:)\d\d:\d\d\b/)
    expect(utcAndLocal('2026-12-04T00:32:00.000Z')).not.toMatch(/24:32/)
    process.env.TZ = saved
  })

  it('shows the local clock and date in the responder\'s zone, named by its offset at that instant', async () => {
    const {localClock, utcAndLocal} = await import('../cli/render/text.js')
    const saved = process.env.TZ
    try {
      const at = (tz: string, iso: string) => {
        process.env.TZ = tz
        return utcAndLocal(iso)
      }
      expect(at('UTC', '2026-12-04T00:02:00.000Z')).toBe('2026-12-04 00:02Z (00:02 UTC)')
      expect(at('Europe/Berlin', '2026-12-04T00:02:00.000Z')).toBe('2026-12-04 00:02Z (01:02 GMT+1)')
      // Summer time: the offset of that instant, not of today.
      expect(at('Europe/Berlin', '2026-07-04T00:02:00.000Z')).toBe('2026-07-04 00:02Z (02:02 GMT+2)')
      // The local date when it is another day there.
      expect(at('America/New_York', '2026-12-04T00:02:00.000Z')).toBe('2026-12-04 00:02Z (2026-12-03 19:02 GMT-5)')
      expect(at('Asia/Kolkata', '2026-12-04T00:02:00.000Z')).toBe('2026-12-04 00:02Z (05:32 GMT+5:30)')
      process.env.TZ = 'America/St_Johns'
      expect(localClock('2026-12-04T12:00:00.000Z')).toBe('08:30 GMT-3:30')
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })

  it('the checklist screen uses the same clock: 00:02, never 24:02', async () => {
    const {clockAndLocal} = await import('../cli/ui/format.js')
    expect(clockAndLocal('2026-12-04T00:02:00.000Z', '2026-12-03T23:57:00.000Z')).toMatch(/^12-04 00:02Z \(\d\d:02 /)
    expect(clockAndLocal('2026-12-04T00:02:00.000Z', '2026-12-03T23:57:00.000Z')).not.toMatch(/24:02/)
  })
})
