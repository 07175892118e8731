/**
 * Text no column can hold as sent: NUL (PostgreSQL text and jsonb refuse it) and half a surrogate pair (jsonb refuses
 * its escape, and text columns store U+FFFD in its place). The regular expression is one scan that almost every
 * string passes; only a string it matches is looked at character by character.
 */
export function unstorableText(s: string): boolean {
  if (!MAYBE_BAD.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if (c >= 0xd800 && c <= 0xdfff) {
      // A high surrogate must be followed by a low one; a low one on its own is unpaired.
      if (c >= 0xdc00) return true;
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}
// eslint-disable-next-line no-control-regex -- NUL is one of the two things it looks for
const MAYBE_BAD = /[\u0000\ud800-\udfff]/;

/** The text with every NUL and unpaired surrogate replaced by U+FFFD: for messages that quote what a file held. */
export function storableText(s: string): string {
  if (!unstorableText(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) out += '\ufffd';
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) out += s[i] + s[++i];
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

/** A JSON value with storableText applied to every string in it (keys included). */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v) => storableJson(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
}
