/**
 * Control characters a name-like field may not hold (SPEC §2, "no 500s"): C0 including TAB,
 * CR and LF, DEL, C1, and the Unicode line and paragraph separators. Such a value would
 * otherwise reach a header (`From:`, `Subject:`) or a log line raw.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The same, but line feeds (and CRLF) allowed: for multi-line text such as an address block. */
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]|\r(?!\n)/;

/** For `.refine()`: true when the value is one line without control characters. */
export const isSingleLineText = (value: string): boolean => !CONTROL_CHARACTERS.test(value);

/** For `.refine()`: true when the value has no control characters other than line breaks. */
export const isMultiLineText = (value: string): boolean => !CONTROL_EXCEPT_LINE_BREAKS.test(value);

export const SINGLE_LINE_MESSAGE = 'must be one line without control characters';
export const MULTI_LINE_MESSAGE = 'must not contain control characters';
