import {Text} from 'ink'
import React from 'react'

import {clean, fit, textWidth} from './format.js'

// One screen line of exactly `width` columns: left segments are cut (with an
// ellipsis) to leave room for the right ones, so a long title never wraps and
// never pushes a deadline or an owner off the screen.

/** The 16 basic colours only: they degrade on every terminal (NO_COLOR removes them, the text stays). */
export type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'gray'

export interface Seg {
  text: string
  color?: Colour
  bold?: boolean
  dim?: boolean
  underline?: boolean
}

/** Lays out the segments; returned separately so tests and the bench can check widths without rendering. */
export function layoutLine(left: Seg[], right: Seg[], width: number): Seg[] {
  let rightSegs = right.filter((s) => s.text).map((s) => ({...s, text: clean(s.text)}))
  let rightW = rightSegs.reduce((w, s) => w + textWidth(s.text), 0)
  // A very narrow terminal: the right side yields first, keeping at least the start of the line.
  while (rightSegs.length && rightW > Math.max(0, width - 12)) {
    rightSegs = rightSegs.slice(1)
    rightW = rightSegs.reduce((w, s) => w + textWidth(s.text), 0)
  }
  const leftBudget = Math.max(0, width - rightW - (rightW ? 1 : 0))
  const out: Seg[] = []
  let used = 0
  for (const s of left) {
    if (!s.text) continue
    const room = leftBudget - used
    if (room <= 0) break
    const whole = clean(s.text)
    const t = fit(whole, room)
    out.push({...s, text: t})
    used += textWidth(t)
    if (t !== whole) break
  }
  const gap = width - used - rightW
  if (gap > 0) out.push({text: ' '.repeat(gap)})
  out.push(...rightSegs)
  return out
}

export function Line({left, right = [], width, inverse = false}: {left: Seg[]; right?: Seg[]; width: number; inverse?: boolean}) {
  const segs = layoutLine(left, right, width)
  return (
    <Text wrap="truncate-end">
      {segs.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim && !inverse} underline={s.underline} inverse={inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  )
}
