/**
 * The character rule of I-JSON that LEDGER-SPEC §1 adopts. RFC 7493 §2.1 reads: "Object member
 * names, and string values in arrays and object members, MUST NOT include code points that
 * identify Surrogates or Noncharacters as defined by [UNICODE]", and it applies to characters
 * written directly as well as to `\u` escapes. So it is a MUST NOT on the decoded string, not on
 * its encoding: a lone surrogate and a noncharacter are refused however they were written, while
 * a surrogate pair that forms a character (an emoji) is fine. The noncharacters are the 66 code
 * points Unicode §23.7 sets aside: U+FDD0..U+FDEF, and the last two of every plane (U+FFFE,
 * U+FFFF, U+1FFFE, U+1FFFF, … U+10FFFF). RFC 7493 names member names and values inside arrays and
 * objects; a ledger record is an object, so that covers every string in it.
 */

// Every string that can break the rule has one of these code units; most strings have none.
const SUSPECT = /[\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF]/;

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, '0');

/** What in `s` RFC 7493 §2.1 forbids, in words, or null when nothing does. */
export function forbiddenCodePoint(s: string): string | null {
  if (!SUSPECT.test(s)) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return 'a lone surrogate';
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      if ((cp & 0xfffe) === 0xfffe) return `the noncharacter U+${hex(cp)}`;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return 'a lone surrogate';
    } else if ((c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe) {
      return `the noncharacter U+${hex(c)}`;
    }
  }
  return null;
}
