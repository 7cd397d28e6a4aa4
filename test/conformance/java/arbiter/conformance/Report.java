package arbiter.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The LEDGER-SPEC §7 verification report. */
final class Report {
  record Failure(String code, String chain, Long seq, Long leaf, String message) {}

  private final List<Failure> failures = new ArrayList<>();
  int entries;
  int chains;
  Checkpoint checkpoint;
  Map<String, Object> witness;

  void fail(String code, String chain, Long seq, Long leaf, String message) {
    failures.add(new Failure(code, chain, seq, leaf, message));
  }

  void fail(String code, String message) {
    fail(code, null, null, null, message);
  }

  boolean ok() {
    return failures.isEmpty();
  }

  List<Failure> failures() {
    return List.copyOf(failures);
  }

  /** One JSON object, members in the order §7 shows them; a failure names only what is known. */
  String toJson() {
    StringBuilder out = new StringBuilder();
    out.append("{\"ok\":").append(ok());
    out.append(",\"entries\":").append(entries);
    out.append(",\"chains\":").append(chains);
    out.append(",\"checkpoint\":");
    if (checkpoint == null) {
      out.append("null");
    } else {
      out.append("{\"size\":").append(checkpoint.size()).append(",\"root\":");
      writeText(out, checkpoint.rootBase64());
      out.append('}');
    }
    out.append(",\"failures\":[");
    for (int i = 0; i < failures.size(); i++) {
      Failure f = failures.get(i);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("code", f.code());
      if (f.chain() != null) fields.put("chain", f.chain());
      if (f.seq() != null) fields.put("seq", f.seq());
      if (f.leaf() != null) fields.put("leaf", f.leaf());
      fields.put("message", f.message());
      if (i > 0) out.append(',');
      writeInOrder(out, fields);
    }
    out.append(']');
    if (witness != null) {
      out.append(",\"witness\":");
      writeInOrder(out, witness);
    }
    return out.append('}').toString();
  }

  private static void writeInOrder(StringBuilder out, Map<String, Object> fields) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      if (!first) out.append(',');
      first = false;
      writeText(out, field.getKey());
      out.append(':');
      Object value = field.getValue();
      if (value instanceof String text) writeText(out, text);
      else out.append(value);
    }
    out.append('}');
  }

  /** JCS string escaping, except that lone surrogates and noncharacters quoted from bad input are escaped, not refused. */
  private static void writeText(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
      if (paired) {
        out.append(c).append(text.charAt(++i));
      } else if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c) || (c >= 0xFDD0 && c <= 0xFDEF) || c >= 0xFFFE) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
