package arbiter.conformance;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields LEDGER-SPEC §1 and §4 say a record has, and their forms. Each method lists what is
 * wrong in words an auditor can act on; an empty list means the record has the spec's shape.
 */
final class RecordShape {
  private RecordShape() {}

  static final Pattern LEDGER_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  private static final DateTimeFormatter TIME_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern KEY_NAME = Pattern.compile("[a-z0-9._-]{1,64}");
  private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", Pattern.CASE_INSENSITIVE);
  private static final List<String> RECORD_FIELDS = List.of("v", "ledger", "chain", "seq", "prev", "time", "type", "signer", "body", "hash", "sig");
  static final Set<String> ROLES = Set.of("decide", "review", "policy", "checkpoint");
  private static final Set<String> OUTCOMES = Set.of("approved", "clamped", "fallback", "escalated", "rejected");
  private static final Set<String> REVIEW_VERDICTS = Set.of("approve", "override", "reject");

  static List<String> problems(Map<String, Object> record, String bundleLedger) {
    List<String> out = new ArrayList<>();
    for (String field : RECORD_FIELDS) if (!record.containsKey(field)) out.add("missing member \"" + field + "\"");
    for (String field : record.keySet()) {
      if (!RECORD_FIELDS.contains(field)) out.add("member \"" + field + "\" is not an entry field of §1");
    }
    if (!Long.valueOf(1).equals(record.get("v"))) out.add("v is " + record.get("v") + ", not 1");
    Object ledger = record.get("ledger");
    if (!(ledger instanceof String l) || !LEDGER_ID.matcher(l).matches()) out.add("ledger is not a ledger id: " + ledger);
    else if (bundleLedger != null && !l.equals(bundleLedger)) out.add("ledger " + l + " differs from the bundle's ledger " + bundleLedger);
    Object chain = record.get("chain");
    Object type = record.get("type");
    if (!(chain instanceof String c) || c.isEmpty()) out.add("chain is not a non-empty string");
    else if (type instanceof String t && !chainFitsType(c, t)) out.add("an entry of type " + t + " does not belong in chain " + c);
    Object seq = record.get("seq");
    if (!(seq instanceof Long s) || s < 0) out.add("seq is not an integer ≥ 0: " + seq);
    Object prev = record.get("prev");
    if (prev != Json.NULL && !(prev instanceof String p && HEX64.matcher(p).matches())) out.add("prev is neither null nor 64 lowercase hex digits");
    requireTime(out, "time", record.get("time"));
    if (!(type instanceof String t) || !Set.of("decision", "review", "key", "policy").contains(t)) out.add("type is not one of decision, review, key, policy: " + type);
    Object signer = record.get("signer");
    if (!(signer instanceof String s)) out.add("signer is not a string");
    else requireDidKey(out, "signer", s);
    Object hash = record.get("hash");
    if (!(hash instanceof String h) || !HEX64.matcher(h).matches()) out.add("hash is not 64 lowercase hex digits");
    Object sig = record.get("sig");
    if (!(sig instanceof String s) || signatureBytes(s) == null) out.add("sig is not unpadded base64url of 64 bytes");
    Object body = record.get("body");
    if (!(body instanceof Map<?, ?>)) out.add("body is not an object");
    else if (type instanceof String t) out.addAll(bodyProblems(t, asObject(body)));
    return out;
  }

  /** §1: base64url without padding, canonical (the unused bits zero), 64 bytes; null otherwise. */
  static byte[] signatureBytes(String text) {
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(text);
      if (bytes.length != 64 || !Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(text)) return null;
      return bytes;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean chainFitsType(String chain, String type) {
    return switch (type) {
      case "key" -> chain.equals("keys");
      case "policy" -> chain.equals("policies");
      case "decision", "review" -> chain.startsWith("decisions-") && chain.length() > "decisions-".length();
      default -> true;
    };
  }

  private static List<String> bodyProblems(String type, Map<String, Object> body) {
    List<String> out = new ArrayList<>();
    switch (type) {
      case "decision" -> decision(out, body);
      case "review" -> review(out, body);
      case "policy" -> policy(out, body);
      case "key" -> key(out, body);
      default -> { }
    }
    return out;
  }

  private static void decision(List<String> out, Map<String, Object> body) {
    Object id = body.get("decisionId");
    if (!(id instanceof String s) || !UUID.matcher(s).matches()) out.add("body.decisionId is not a UUID");
    requireString(out, "body.decisionPoint", body.get("decisionPoint"));
    Map<String, Object> trigger = requireObject(out, "body.trigger", body.get("trigger"));
    if (trigger != null) {
      for (String f : List.of("eventId", "type", "source")) requireString(out, "body.trigger." + f, trigger.get(f));
      requireHex64(out, "body.trigger.digest", trigger.get("digest"));
    }
    Map<String, Object> policy = requireObject(out, "body.policy", body.get("policy"));
    if (policy != null) {
      requireString(out, "body.policy.id", policy.get("id"));
      requirePresent(out, "body.policy.version", policy, "version");
      requireHex64(out, "body.policy.digest", policy.get("digest"));
    }
    Map<String, Object> context = requireObject(out, "body.context", body.get("context"));
    if (context != null) requireString(out, "body.context.memoryDigest", context.get("memoryDigest"));
    Map<String, Object> reasoner = requireObject(out, "body.reasoner", body.get("reasoner"));
    if (reasoner != null) {
      requireString(out, "body.reasoner.kind", reasoner.get("kind"));
      if (reasoner.containsKey("model")) requireString(out, "body.reasoner.model", reasoner.get("model"));
      if (reasoner.containsKey("promptDigest")) requireString(out, "body.reasoner.promptDigest", reasoner.get("promptDigest"));
    }
    requirePresent(out, "body.proposal", body, "proposal");
    if (body.containsKey("proposal") && body.get("proposal") != Json.NULL && !(body.get("proposal") instanceof Map<?, ?>)) {
      out.add("body.proposal is neither an object nor null");
    }
    Map<String, Object> verdict = requireObject(out, "body.verdict", body.get("verdict"));
    Object outcome = verdict == null ? null : verdict.get("outcome");
    if (verdict != null) {
      if (!(outcome instanceof String o) || !OUTCOMES.contains(o)) out.add("body.verdict.outcome is not one of " + OUTCOMES + ": " + outcome);
      if (!(verdict.get("checks") instanceof List<?>)) out.add("body.verdict.checks is not an array");
    }
    requirePresent(out, "body.action", body, "action");
    Object action = body.get("action");
    if (action == Json.NULL) {
      if (outcome != null && !"escalated".equals(outcome)) out.add("body.action is null but the outcome is " + outcome + ", not escalated");
    } else if (body.containsKey("action")) {
      requireAction(out, "body.action", action);
    }
  }

  private static void review(List<String> out, Map<String, Object> body) {
    Map<String, Object> decision = requireObject(out, "body.decision", body.get("decision"));
    if (decision != null) {
      requireString(out, "body.decision.chain", decision.get("chain"));
      if (!(decision.get("seq") instanceof Long s) || s < 0) out.add("body.decision.seq is not an integer ≥ 0");
      requireHex64(out, "body.decision.hash", decision.get("hash"));
    }
    requireString(out, "body.reviewer", body.get("reviewer"));
    Object verdict = body.get("verdict");
    if (!(verdict instanceof String v) || !REVIEW_VERDICTS.contains(v)) out.add("body.verdict is not one of " + REVIEW_VERDICTS + ": " + verdict);
    requirePresent(out, "body.action", body, "action");
    if (body.containsKey("action") && body.get("action") != Json.NULL) requireAction(out, "body.action", body.get("action"));
    if (!(body.get("note") instanceof String)) out.add("body.note is missing or not a string");
  }

  private static void policy(List<String> out, Map<String, Object> body) {
    requireString(out, "body.policyId", body.get("policyId"));
    requirePresent(out, "body.version", body, "version");
    requireHex64(out, "body.digest", body.get("digest"));
    requirePresent(out, "body.document", body, "document");
  }

  private static void key(List<String> out, Map<String, Object> body) {
    Object action = body.get("action");
    if (!"register".equals(action) && !"revoke".equals(action)) out.add("body.action is neither register nor revoke: " + action);
    if (!(body.get("key") instanceof String k)) out.add("body.key is not a string");
    else requireDidKey(out, "body.key", k);
    Object name = body.get("name");
    if (!(name instanceof String n) || !KEY_NAME.matcher(n).matches()) out.add("body.name is not [a-z0-9._-]{1,64}: " + name);
    Object roles = body.get("roles");
    if (!(roles instanceof List<?> list)) {
      out.add("body.roles is not an array");
    } else {
      for (Object role : list) if (!ROLES.contains(role)) out.add("body.roles holds an unknown role: " + role);
    }
    requireTime(out, "body.notBefore", body.get("notBefore"));
    if (!body.containsKey("notAfter")) out.add("missing member \"body.notAfter\"");
    else if (body.get("notAfter") != Json.NULL) requireTime(out, "body.notAfter", body.get("notAfter"));
  }

  private static void requireAction(List<String> out, String what, Object action) {
    Map<String, Object> a = requireObject(out, what, action);
    if (a == null) return;
    requireString(out, what + ".type", a.get("type"));
    requirePresent(out, what + ".params", a, "params");
  }

  static boolean isTime(Object value) {
    if (!(value instanceof String s) || !TIME.matcher(s).matches()) return false;
    try {
      return TIME_FORMAT.format(Instant.parse(s)).equals(s);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void requireTime(List<String> out, String what, Object value) {
    if (!isTime(value)) out.add(what + " is not a UTC time YYYY-MM-DDTHH:MM:SS.sssZ: " + value);
  }

  private static void requireDidKey(List<String> out, String what, String did) {
    try {
      DidKey.publicKey(did);
    } catch (DidKey.Invalid e) {
      out.add(what + ": " + e.getMessage());
    }
  }

  private static void requireString(List<String> out, String what, Object value) {
    if (!(value instanceof String s) || s.isEmpty()) out.add(what + " is missing or not a non-empty string");
  }

  private static void requireHex64(List<String> out, String what, Object value) {
    if (!(value instanceof String s) || !HEX64.matcher(s).matches()) out.add(what + " is not a lowercase hex SHA-256");
  }

  private static void requirePresent(List<String> out, String what, Map<String, Object> object, String member) {
    if (!object.containsKey(member)) out.add("missing member \"" + what + "\"");
  }

  private static Map<String, Object> requireObject(List<String> out, String what, Object value) {
    if (value instanceof Map<?, ?>) return asObject(value);
    out.add(what + " is missing or not an object");
    return null;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asObject(Object value) {
    return (Map<String, Object>) value;
  }
}
