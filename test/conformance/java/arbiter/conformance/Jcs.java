package arbiter.conformance;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** RFC 8785 JSON Canonicalization Scheme over the values {@link Json} reads. */
final class Jcs {
  private Jcs() {}

  static final class NotCanonicalizable extends RuntimeException {
    NotCanonicalizable(String message) {
      super(message);
    }
  }

  static byte[] canonicalBytes(Object value) {
    return canonical(value).getBytes(StandardCharsets.UTF_8);
  }

  static String canonical(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    if (value == Json.NULL) {
      out.append("null");
    } else if (value instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (value instanceof String s) {
      writeString(out, s);
    } else if (value instanceof Long n) {
      out.append(number(n.doubleValue()));
    } else if (value instanceof Double d) {
      out.append(number(d));
    } else if (value instanceof List<?> items) {
      out.append('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) out.append(',');
        write(out, items.get(i));
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> members) {
      // §3.2.3: names sorted by their UTF-16 code units, which is what String.compareTo compares.
      List<String> names = new ArrayList<>();
      for (Object name : members.keySet()) names.add((String) name);
      names.sort(String::compareTo);
      out.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) out.append(',');
        writeString(out, names.get(i));
        out.append(':');
        write(out, members.get(names.get(i)));
      }
      out.append('}');
    } else {
      throw new NotCanonicalizable("no I-JSON form for " + value);
    }
  }

  /** §3.2.2.2: only '"', '\' and the C0 controls are escaped; the short forms where JSON has them. */
  static void writeString(StringBuilder out, String s) {
    String problem = Json.unicodeProblem(s);
    if (problem != null) throw new NotCanonicalizable(problem);
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }

  /**
   * §3.2.2.3: ECMAScript Number::toString. The digits are the shortest that read back as the same
   * double, the closest to its exact value when two of that length do.
   */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) throw new NotCanonicalizable("NaN and Infinity have no JSON form");
    if (d == 0) return "0";
    if (d < 0) return "-" + number(-d);
    BigDecimal shortest = shortestRoundTrip(d);
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale();
    if (k <= n && n <= 21) return digits + "0".repeat(n - k);
    if (0 < n && n <= 21) return digits.substring(0, n) + "." + digits.substring(n);
    if (-6 < n && n <= 0) return "0." + "0".repeat(-n) + digits;
    int e = n - 1;
    String exponent = "e" + (e < 0 ? "-" : "+") + Math.abs(e);
    return k == 1 ? digits + exponent : digits.charAt(0) + "." + digits.substring(1) + exponent;
  }

  private static BigDecimal shortestRoundTrip(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal best = null;
      for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
        BigDecimal candidate = exact.round(new MathContext(precision, mode));
        if (candidate.doubleValue() != d) continue;
        if (best == null) {
          best = candidate;
          continue;
        }
        int closer = candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs());
        if (closer < 0 || (closer == 0 && lastDigitEven(candidate))) best = candidate;
      }
      if (best != null) return best.stripTrailingZeros();
    }
    throw new IllegalStateException("no 17-digit form reads back as " + d);
  }

  private static boolean lastDigitEven(BigDecimal value) {
    return !value.unscaledValue().testBit(0);
  }
}
