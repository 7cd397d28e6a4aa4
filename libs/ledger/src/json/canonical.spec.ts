import { canonicalize, canonicalizeWith } from './canonical';
import { didKeyFromPublicKey } from '../crypto/did-key';
import { sha256Hex } from '../crypto/hash';
import { generateSecretKey, nativeSigningKey, publicKeyOf, signNative } from '../crypto/ed25519';
import { Signer, signEntryToText } from '../record';
import { parseStrictJson } from './strict-json';
import { MalformedError } from '../errors';

describe('canonical JSON (RFC 8785)', () => {
  it('serializes literals and strings as RFC 8785 §3.2.2 does', () => {
    const input = JSON.parse('{"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    expect(canonicalize(input)).toBe('{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts members by UTF-16 code units as RFC 8785 §3.2.3 does', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('refuses what I-JSON and the ledger rules forbid', () => {
    expect(() => canonicalize({ refund: 12.5 })).toThrow(MalformedError);
    expect(() => canonicalize({ n: 2 ** 53 })).toThrow(MalformedError);
    expect(() => canonicalize({ s: '\ud800' })).toThrow(MalformedError);
    expect(() => canonicalize({ d: new Date() })).toThrow(MalformedError);
  });

  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FFFE', '\ufffe'],
    ['U+FDD0, the first of U+FDD0..U+FDEF', '\ufdd0'],
    ['U+FDEF, the last of U+FDD0..U+FDEF', '\ufdef'],
    ['U+1FFFF, written as a surrogate pair', '\ud83f\udfff'],
    ['U+10FFFE, the last plane', '\udbff\udffe'],
  ])('refuses the noncharacter %s in a value or a member name, as RFC 7493 §2.1 requires', (_which, char) => {
    expect(() => canonicalize({ note: `pay ${char} now` })).toThrow(/noncharacter/);
    expect(() => canonicalize({ [`k${char}`]: 1 })).toThrow(/noncharacter/);
    expect(() => canonicalize({ list: [{ deep: char }] })).toThrow(/\$\.list\[0\]\.deep: string has the noncharacter/);
  });

  it('writes the characters next to the noncharacters, and characters beyond the BMP, as they are', () => {
    const value = { a: '\ufdcf\ufdf0\ufffd', b: '😀', c: '\ud83f\udffd' };
    expect(parseStrictJson(canonicalize(value))).toEqual(value);
  });

  it('writes integers as ECMAScript does and nests deterministically', () => {
    expect(canonicalize({ b: [3, -0, { z: 1, a: null }], a: 9007199254740991 })).toBe('{"a":9007199254740991,"b":[3,0,{"a":null,"z":1}]}');
  });
});

describe('canonical JSON with members written before', () => {
  const body = { memory: { orders: [{ id: 'o-1', cents: 1999 }], note: 'tab\there, quote " and ünïcödé 🎉' }, decisionPoint: 'order.fulfillment', '\u20ac': 1, '1': 2 };
  const entry = { v: 1, ledger: 'shop', chain: 'decisions-c1', seq: 4, prev: null, time: '2026-01-02T03:04:05.678Z', type: 'decision', signer: 'did:key:z6Mk', body, skipped: undefined };

  it('gives the very text canonicalize gives for the whole object', () => {
    expect(canonicalizeWith(entry, { body: canonicalize(body) })).toBe(canonicalize(entry));
    expect(canonicalizeWith({ '\r': 1, b: 'x', a: [1] }, { a: '[1]' })).toBe(canonicalize({ '\r': 1, b: 'x', a: [1] }));
  });

  it('still refuses what the other members break, naming where', () => {
    expect(() => canonicalizeWith({ ...entry, seq: 4.5 }, { body: canonicalize(body) })).toThrow('$.seq: 4.5 is not an integer');
    expect(() => canonicalizeWith({ ...entry, chain: '\ud800' }, { body: canonicalize(body) })).toThrow(/\$\.chain: string has a lone surrogate/);
  });

  it('signs an entry and gives the record with the text canonicalize gives for it', async () => {
    const secret = generateSecretKey();
    const key = nativeSigningKey(secret);
    const signer: Signer = { name: 'service', did: didKeyFromPublicKey(publicKeyOf(secret)), sign: async (m) => signNative(key, m) };
    const signed = { ...entry, signer: signer.did };
    const { record, text } = await signEntryToText(signed as never, signer);
    expect(text).toBe(canonicalize(record));
    expect(record.hash).toBe(sha256Hex(canonicalize(signed)));
  });
});

describe('strict JSON parsing', () => {
  it('reads what canonicalize writes', () => {
    const value = { b: [1, 'x', { c: true }], a: null, '€': 'euro' };
    expect(parseStrictJson(canonicalize(value))).toEqual(value);
  });

  it.each([
    ['duplicate names', '{"a":1,"a":2}'],
    ['duplicate names in depth', '{"x":{"a":1,"b":{"q":1,"q":1}}}'],
    ['a fraction', '{"a":1.0}'],
    ['an exponent', '{"a":1e3}'],
    ['an unsafe integer', '{"a":9007199254740993}'],
    ['a lone surrogate', '{"a":"\\ud800"}'],
    ['an escaped noncharacter', '{"a":"\\uffff"}'],
    ['a noncharacter written as it is', '{"a":"\uffff"}'],
    ['a noncharacter beyond the BMP, escaped as a surrogate pair', '{"a":"\\ud87f\\udffe"}'],
    ['a noncharacter in a member name', '{"\ufdd0":1}'],
    ['trailing data', '{"a":1} x'],
    ['a trailing comma', '{"a":1,}'],
    ['a control character', '{"a":"\u0001"}'],
  ])('refuses %s', (_why, text) => {
    expect(() => parseStrictJson(text)).toThrow(MalformedError);
  });
});
