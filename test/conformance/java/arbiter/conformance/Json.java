package arbiter.conformance;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON reader for I-JSON (RFC 7493) as LEDGER-SPEC §1 narrows it.
 *
 * <p>Text that is not JSON at all is refused with {@link SyntaxError}. Text that is JSON but breaks an
 * I-JSON rule (a duplicate member name at any depth, a lone surrogate or noncharacter, and in
 * {@link Numbers#INTEGERS} mode a non-integer number or one beyond ±(2^53−1)) is still read, and every
 * breach is listed as a {@link Problem} with the JSON Pointer of where it is, so a verifier can say
 * which record is malformed instead of stopping at the first breach.
 *
 * <p>Values: {@code Map<String,Object>} (insertion order, the first of duplicate names kept),
 * {@code List<Object>}, {@code String}, {@code Boolean}, {@link #NULL}; numbers are {@code Long} in
 * INTEGERS mode (a {@code BigInteger} or {@code BigDecimal} only where a problem is listed) and
 * {@code Double} in ANY mode.
 */
final class Json {
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  static final long MAX_SAFE_INTEGER = 9007199254740991L;
  private static final int MAX_DEPTH = 512;

  enum Numbers {
    /** The ledger's rule: every number an integer with |n| ≤ 2^53 − 1. */
    INTEGERS,
    /** Any finite IEEE 754 double, as JCS in general allows (used for the RFC 8785 samples). */
    ANY
  }

  record Problem(String pointer, String message) {}

  record Parsed(Object value, List<Problem> problems) {}

  static final class SyntaxError extends Exception {
    SyntaxError(String message) {
      super(message);
    }
  }

  private final String text;
  private final Numbers numbers;
  private final List<Problem> problems = new ArrayList<>();
  private int pos;

  private Json(String text, Numbers numbers) {
    this.text = text;
    this.numbers = numbers;
  }

  static Parsed parse(byte[] utf8, Numbers numbers) throws SyntaxError {
    return parse(decodeUtf8(utf8), numbers);
  }

  static Parsed parse(String text, Numbers numbers) throws SyntaxError {
    Json reader = new Json(text, numbers);
    reader.skipWhitespace();
    Object value = reader.readValue("", 0);
    reader.skipWhitespace();
    if (reader.pos != text.length()) throw reader.error("text after the JSON value");
    return new Parsed(value, List.copyOf(reader.problems));
  }

  /** Strict UTF-8: overlong forms, encoded surrogates and truncated sequences are refused. */
  static String decodeUtf8(byte[] utf8) throws SyntaxError {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SyntaxError("not UTF-8: " + e.getMessage());
    }
  }

  private Object readValue(String pointer, int depth) throws SyntaxError {
    if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
    if (pos >= text.length()) throw error("unexpected end of text");
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return readObject(pointer, depth);
      case '[':
        return readArray(pointer, depth);
      case '"':
        return readString(pointer);
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return readNumber(pointer);
        throw error("unexpected character " + describe(c));
    }
  }

  private Map<String, Object> readObject(String pointer, int depth) throws SyntaxError {
    Map<String, Object> members = new LinkedHashMap<>();
    pos++;
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return members;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') throw error("expected a member name");
      String name = readString(pointer + "/" + escapePointer("(name)"));
      String memberPointer = pointer + "/" + escapePointer(name);
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object value = readValue(memberPointer, depth + 1);
      if (members.containsKey(name)) {
        problems.add(new Problem(memberPointer, "duplicate member name \"" + name + "\""));
      } else {
        members.put(name, value);
      }
      skipWhitespace();
      char c = next();
      if (c == '}') return members;
      if (c != ',') throw error("expected ',' or '}' in an object");
    }
  }

  private List<Object> readArray(String pointer, int depth) throws SyntaxError {
    List<Object> items = new ArrayList<>();
    pos++;
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return items;
    }
    while (true) {
      skipWhitespace();
      items.add(readValue(pointer + "/" + items.size(), depth + 1));
      skipWhitespace();
      char c = next();
      if (c == ']') return items;
      if (c != ',') throw error("expected ',' or ']' in an array");
    }
  }

  private String readString(String pointer) throws SyntaxError {
    pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') break;
      if (c < 0x20) throw error("unescaped control character " + describe(c) + " in a string");
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(readHex4());
        default -> throw error("invalid escape \\" + e);
      }
    }
    String value = out.toString();
    String unicodeProblem = unicodeProblem(value);
    if (unicodeProblem != null) problems.add(new Problem(pointer, unicodeProblem));
    return value;
  }

  /** RFC 7493 §2.1: no surrogate code points (unpaired) and no noncharacters. */
  static String unicodeProblem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          if ((cp & 0xFFFE) == 0xFFFE) return String.format("noncharacter U+%X", cp);
          continue;
        }
        return String.format("lone surrogate \\u%04x", (int) c);
      }
      if (Character.isLowSurrogate(c)) return String.format("lone surrogate \\u%04x", (int) c);
      if ((c >= 0xFDD0 && c <= 0xFDEF) || c == 0xFFFE || c == 0xFFFF) {
        return String.format("noncharacter U+%04X", (int) c);
      }
    }
    return null;
  }

  private char readHex4() throws SyntaxError {
    if (pos + 4 > text.length()) throw error("truncated \\u escape");
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0) throw error("invalid \\u escape");
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object readNumber(String pointer) throws SyntaxError {
    int start = pos;
    boolean integer = true;
    if (peek() == '-') pos++;
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) pos++;
    } else {
      throw error("invalid number");
    }
    if (peek() == '.') {
      integer = false;
      pos++;
      if (!isDigit(peek())) throw error("invalid number: no digit after '.'");
      while (isDigit(peek())) pos++;
    }
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!isDigit(peek())) throw error("invalid number: no digit in the exponent");
      while (isDigit(peek())) pos++;
    }
    String literal = text.substring(start, pos);
    if (numbers == Numbers.ANY) {
      double d = Double.parseDouble(literal);
      if (Double.isInfinite(d)) problems.add(new Problem(pointer, "number " + literal + " is beyond IEEE 754 double range"));
      return d;
    }
    if (!integer) {
      problems.add(new Problem(pointer, "non-integer number " + literal));
      return new BigDecimal(literal);
    }
    BigInteger value = new BigInteger(literal);
    if (value.abs().compareTo(BigInteger.valueOf(MAX_SAFE_INTEGER)) > 0) {
      problems.add(new Problem(pointer, "integer " + literal + " is beyond ±(2^53−1)"));
      return value;
    }
    return value.longValueExact();
  }

  private Object literal(String word, Object value) throws SyntaxError {
    if (!text.startsWith(word, pos)) throw error("invalid literal");
    pos += word.length();
    return value;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      pos++;
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next() throws SyntaxError {
    if (pos >= text.length()) throw error("unexpected end of text");
    return text.charAt(pos++);
  }

  private void expect(char c) throws SyntaxError {
    if (next() != c) throw error("expected '" + c + "'");
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private SyntaxError error(String message) {
    return new SyntaxError(message + " at character " + pos);
  }

  private static String describe(char c) {
    return String.format("U+%04X", (int) c);
  }

  static String escapePointer(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
