/** What a scanned or typed code becomes before it is checked: `normalise`. */

// ---------------------------------------------------------------------------------------------------------
// normalise
// ---------------------------------------------------------------------------------------------------------

/**
 * Turns what a person typed or a scanner read into the form `parse` checks: removes whitespace (including
 * line breaks, U+3000 ideographic space, no-break spaces, zero-width space and BOM) and hyphens/dashes
 * (ASCII, Unicode and full-width), maps full-width ASCII (U+FF01–FF5E, as typed with a Chinese IME) to ASCII,
 * and upper-cases ASCII letters. Other characters are kept as they are, so that `parse` can report them.
 *
 * The two printed fragments of a code (labels often print the design and production parts, or two halves,
 * on separate lines) are joined in the order given, whether they come as an array or as one string with a
 * line break. The order is not guessed: a swapped pair fails validation rather than being silently fixed.
 * Nothing is validated here. The output is a fixed point: normalise(normalise(x)) === normalise(x).
 */
export function normalise(input: string | readonly string[]): string {
  if (typeof input !== 'string') {
    let joined = '';
    for (const fragment of input) joined += normalise(String(fragment));
    return joined;
  }
  // Most input is already clean: return it without building a new string.
  let i = 0;
  while (i < input.length && mapChar(input.charCodeAt(i)) === input.charCodeAt(i)) i++;
  if (i === input.length) return input;
  let out = input.slice(0, i);
  for (; i < input.length; i++) {
    const c = mapChar(input.charCodeAt(i));
    if (c >= 0) out += String.fromCharCode(c);
  }
  return out;
}

/** What normalise makes of UTF-16 unit `c`: -1 to drop it, else the unit to keep. */
function mapChar(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0; // full-width ASCII → ASCII
  if (isSeparator(c)) return -1;
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c; // a-z → A-Z
}

function isSeparator(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d); // space, \t \n \v \f \r
  if (c < 0x7f) return c === 0x2d; // '-'
  switch (c) {
    case 0x85: // next line
    case 0xa0: // no-break space
    case 0xad: // soft hyphen
    case 0x1680:
    case 0x2028: // line separator
    case 0x2029: // paragraph separator
    case 0x202f: // narrow no-break space
    case 0x205f:
    case 0x2212: // minus sign
    case 0x3000: // ideographic (full-width) space
    case 0xfe63: // small hyphen-minus
    case 0xfeff: // BOM / zero-width no-break space
      return true;
    default:
      return (c >= 0x2000 && c <= 0x200b) || (c >= 0x2010 && c <= 0x2015); // spaces, zero-width space; hyphens and dashes
  }
}
