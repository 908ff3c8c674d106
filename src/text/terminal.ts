// Text from outside (a file name in a scanned repository, a Secret name in a
// crafted snapshot, a note synced from a teammate) printed to a terminal or
// written into Markdown must not carry control characters: an escape
// sequence can clear the screen, rewrite earlier lines or (OSC 52) write the
// responder's clipboard. Every text renderer passes such values through here.

// C0 controls, DEL, C1 controls; plus the Unicode bidi overrides that reorder what is shown.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g
// Keeps \n and the \r of a \r\n pair (CSV's line end, RFC 4180); a lone \r
// (which returns to the start of the line to overwrite it) is still replaced.
const CONTROLS_KEEP_LINES = /(?:(?!\r\n)[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069])+/g

/** One line of text: every run of control characters (newlines included) becomes one space. */
export function safeLine(text: string): string {
  return text.replace(CONTROLS, ' ')
}

/** Multi-line text: newlines (\n and \r\n) kept, every other control run becomes one space. */
export function safeText(text: string): string {
  return text.replace(CONTROLS_KEEP_LINES, ' ')
}

/** True when the text holds a character safeLine would replace. */
export function hasControls(text: string): boolean {
  CONTROLS.lastIndex = 0
  return CONTROLS.test(text)
}
