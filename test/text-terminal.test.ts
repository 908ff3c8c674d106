import {describe, expect, it} from 'vitest'

import {hasControls, safeLine, safeText} from '../src/text/terminal.js'

describe('safeText', () => {
  it('keeps \\n and \\r\\n line ends (CSV ends its lines with \\r\\n)', () => {
    expect(safeText('a,b\r\nc,d\r\n')).toBe('a,b\r\nc,d\r\n')
    expect(safeText('a\nb\n')).toBe('a\nb\n')
  })

  it('turns a lone \\r (it rewrites the line) and every other control run into one space', () => {
    expect(safeText('ok\rEVIL')).toBe('ok EVIL')
    expect(safeText('ok\r\r\nnext')).toBe('ok \r\nnext')
    expect(safeText('a\x1b[2J\r\nb')).toBe('a [2J\r\nb')
    expect(safeText('a\x1b]52;c;eA==\x07b')).toBe('a ]52;c;eA== b')
    expect(safeText('x\u202ey\u0085z\x7f')).toBe('x y z ')
    expect(safeText('end\r')).toBe('end ')
  })
})

describe('safeLine', () => {
  it('turns every control run, line ends included, into one space', () => {
    expect(safeLine('a\r\nb\nc\x1b[2Jd')).toBe('a b c [2Jd')
    expect(hasControls('a\r\nb')).toBe(true)
    expect(hasControls('plain')).toBe(false)
  })
})
