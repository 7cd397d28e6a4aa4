package arbiter.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies an {@code arbiter.bundle/1} (LEDGER-SPEC §6) against the operator's root key, reporting
 * every failure it finds in the codes of §7.
 */
final class BundleVerifier {
  private static final String FORMAT = "arbiter.bundle/1";
  private static final Set<String> BUNDLE_MEMBERS = Set.of("format", "ledger", "checkpoint", "entries");
  private static final Set<String> ENTRY_MEMBERS = Set.of("leaf", "record", "proof");
  private static final Map<String, String> ROLE_FOR_TYPE = Map.of("decision", "decide", "review", "review", "policy", "policy");
  private static final Pattern ENTRY_POINTER = Pattern.compile("^/entries/(\\d+)(/.*)?$");

  private final String rootDid;

  BundleVerifier(String rootDid) {
    this.rootDid = rootDid;
  }

  /** One element of {@code entries}, with what could be read of it. */
  private static final class Entry {
    final int index;
    Long leaf;
    Map<String, Object> record;
    List<byte[]> proof;
    boolean shaped;
    boolean authentic;
    final List<String> jsonProblems = new ArrayList<>();

    Entry(int index) {
      this.index = index;
    }

    String chain() {
      return record != null && record.get("chain") instanceof String s ? s : null;
    }

    Long seq() {
      return record != null && record.get("seq") instanceof Long s ? s : null;
    }

    String string(String field) {
      return record != null && record.get(field) instanceof String s ? s : null;
    }

    Map<String, Object> body() {
      return record != null && record.get("body") instanceof Map<?, ?> m ? RecordShape.asObject(m) : null;
    }

    byte[] hashBytes() {
      String hash = string("hash");
      return hash != null && RecordShape.HEX64.matcher(hash).matches() ? HexFormat.of().parseHex(hash) : null;
    }
  }

  /** The report, and the checkpoint when its signature verified (for the witness), with the leaf hashes from leaf 0. */
  record Outcome(Report report, Checkpoint verifiedCheckpoint, List<byte[]> leafHashesFromZero) {}

  Outcome verify(byte[] bundleBytes) {
    Report report = new Report();
    Json.Parsed parsed;
    try {
      parsed = Json.parse(bundleBytes, Json.Numbers.INTEGERS);
    } catch (Json.SyntaxError e) {
      report.fail("malformed", "the bundle is not JSON: " + e.getMessage());
      return new Outcome(report, null, List.of());
    }
    if (!(parsed.value() instanceof Map<?, ?> rootValue)) {
      report.fail("malformed", "the bundle is not a JSON object");
      return new Outcome(report, null, List.of());
    }
    Map<String, Object> bundle = RecordShape.asObject(rootValue);
    Map<Integer, List<String>> entryProblems = new HashMap<>();
    for (Json.Problem problem : parsed.problems()) {
      Matcher m = ENTRY_POINTER.matcher(problem.pointer());
      if (m.matches()) {
        entryProblems.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(problem.pointer() + ": " + problem.message());
      } else {
        report.fail("malformed", "bundle " + problem.pointer() + ": " + problem.message());
      }
    }
    for (String member : bundle.keySet()) {
      if (!BUNDLE_MEMBERS.contains(member)) report.fail("malformed", "the bundle member \"" + member + "\" is not one of §6");
    }
    if (!FORMAT.equals(bundle.get("format"))) {
      report.fail("malformed", "format is " + bundle.get("format") + ", not " + FORMAT);
      return new Outcome(report, null, List.of());
    }
    String ledger = bundle.get("ledger") instanceof String l && RecordShape.LEDGER_ID.matcher(l).matches() ? l : null;
    if (ledger == null) report.fail("malformed", "ledger is not a ledger id: " + bundle.get("ledger"));
    if (!(bundle.get("entries") instanceof List<?> items)) {
      report.fail("malformed", "entries is not an array");
      return new Outcome(report, null, List.of());
    }

    List<Entry> entries = readEntries(items, entryProblems, ledger, report);
    report.entries = entries.size();
    report.chains = (int) entries.stream().map(Entry::chain).filter(c -> c != null).distinct().count();

    checkIntegrity(entries, report);
    KeyRegistry registry = buildRegistry(entries, report);
    checkSigners(entries, registry, report);
    checkChains(entries, report);
    checkReviews(entries, report);
    checkPolicies(entries, report);
    checkDuplicateDecisions(entries, report);

    Checkpoint checkpoint = readCheckpoint(bundle.get("checkpoint"), ledger, report);
    boolean signed = checkpoint != null && checkpointSigned(checkpoint, registry, report);
    List<byte[]> prefix = checkLog(entries, checkpoint, report);
    return new Outcome(report, signed ? checkpoint : null, prefix);
  }

  private List<Entry> readEntries(List<?> items, Map<Integer, List<String>> entryProblems, String ledger, Report report) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Entry e = new Entry(i);
      entries.add(e);
      e.jsonProblems.addAll(entryProblems.getOrDefault(i, List.of()));
      if (!(items.get(i) instanceof Map<?, ?> itemValue)) {
        report.fail("malformed", null, null, null, "entries[" + i + "] is not an object");
        continue;
      }
      Map<String, Object> item = RecordShape.asObject(itemValue);
      if (item.get("leaf") instanceof Long leaf && leaf >= 0) e.leaf = leaf;
      if (item.get("record") instanceof Map<?, ?> record) e.record = RecordShape.asObject(record);
      List<String> problems = new ArrayList<>(e.jsonProblems);
      for (String member : item.keySet()) {
        if (!ENTRY_MEMBERS.contains(member)) problems.add("entries[" + i + "] member \"" + member + "\" is not one of §6");
      }
      if (e.leaf == null) problems.add("entries[" + i + "].leaf is not an integer ≥ 0");
      if (e.record == null) problems.add("entries[" + i + "].record is not an object");
      if (item.containsKey("proof")) e.proof = readProof(item.get("proof"), i, problems);
      if (e.record != null) problems.addAll(RecordShape.problems(e.record, ledger));
      e.shaped = problems.isEmpty();
      for (String problem : problems) fail(report, "malformed", e, problem);
    }
    return entries;
  }

  private static List<byte[]> readProof(Object value, int index, List<String> problems) {
    if (!(value instanceof List<?> items)) {
      problems.add("entries[" + index + "].proof is not an array");
      return null;
    }
    List<byte[]> proof = new ArrayList<>();
    for (Object item : items) {
      try {
        byte[] hash = item instanceof String s ? Checkpoint.decodeStrictBase64(s, "proof hash") : null;
        if (hash == null || hash.length != 32) throw new Checkpoint.Malformed("a proof hash is not base64 of 32 bytes");
        proof.add(hash);
      } catch (Checkpoint.Malformed e) {
        problems.add("entries[" + index + "].proof: " + e.getMessage());
        return null;
      }
    }
    return proof;
  }

  /** §1: hash = SHA-256 of the JCS signing input; sig = strict Ed25519 over it by the signer. */
  private void checkIntegrity(List<Entry> entries, Report report) {
    for (Entry e : entries) {
      if (!e.shaped) continue;
      Map<String, Object> entry = new LinkedHashMap<>(e.record);
      entry.remove("hash");
      entry.remove("sig");
      byte[] signingInput;
      try {
        signingInput = Jcs.canonicalBytes(entry);
      } catch (Jcs.NotCanonicalizable ex) {
        fail(report, "malformed", e, "no canonical form: " + ex.getMessage());
        continue;
      }
      String computed = HexFormat.of().formatHex(Merkle.sha256(signingInput));
      boolean hashOk = computed.equals(e.string("hash"));
      if (!hashOk) fail(report, "hash-mismatch", e, "hash is " + e.string("hash") + " but the signing input hashes to " + computed);
      Ed25519.Verdict verdict = Ed25519.verify(signerKey(e), signingInput, RecordShape.signatureBytes(e.string("sig")));
      switch (verdict) {
        case VALID -> { }
        case KEY_NOT_CANONICAL, KEY_SMALL_ORDER -> fail(report, "weak-key", e, "signer " + e.string("signer") + ": " + verdict.message);
        default -> fail(report, "bad-signature", e, verdict.message);
      }
      e.authentic = hashOk && verdict == Ed25519.Verdict.VALID;
    }
  }

  /** §2: the root's register and revoke entries in chain keys; a key of small order is refused. */
  private KeyRegistry buildRegistry(List<Entry> entries, Report report) {
    KeyRegistry registry = new KeyRegistry();
    for (Entry e : entries) {
      if (!e.authentic || !"keys".equals(e.chain()) || !rootDid.equals(e.string("signer"))) continue;
      Map<String, Object> body = e.body();
      String did = (String) body.get("key");
      byte[] key = publicKey(did);
      Ed25519.Verdict keyVerdict = Ed25519.checkPublicKey(key);
      if ("register".equals(body.get("action"))) {
        if (keyVerdict != Ed25519.Verdict.VALID) {
          fail(report, "weak-key", e, "registration of " + did + " refused: " + keyVerdict.message);
          continue;
        }
        Set<String> roles = new LinkedHashSet<>();
        for (Object role : (List<?>) body.get("roles")) roles.add((String) role);
        Object notAfter = body.get("notAfter");
        registry.register(new KeyRegistry.Registration(did, key, (String) body.get("name"), roles,
            (String) body.get("notBefore"), notAfter instanceof String s ? s : null));
      } else {
        registry.revoke(did, e.string("time"));
      }
    }
    return registry;
  }

  /** Who may sign what and when; judged whenever type, signer and time are readable, even if the rest is malformed. */
  private void checkSigners(List<Entry> entries, KeyRegistry registry, Report report) {
    for (Entry e : entries) {
      String signer = e.string("signer");
      String type = e.string("type");
      if (!"key".equals(type) && !ROLE_FOR_TYPE.containsKey(type)) continue;
      if (signer == null || !RecordShape.isTime(e.record.get("time")) || !isDidKey(signer)) continue;
      if ("key".equals(type)) {
        if (rootDid.equals(signer)) continue;
        fail(report, registry.knows(signer) ? "signer-not-valid" : "unknown-signer", e,
            "entries of chain keys are signed by the root; " + signer + " is not the trusted root " + rootDid);
        continue;
      }
      KeyRegistry.Judgement judgement = registry.judge(signer, ROLE_FOR_TYPE.get(type), e.string("time"));
      switch (judgement.standing()) {
        case VALID -> { }
        case UNKNOWN -> fail(report, "unknown-signer", e, judgement.reason());
        case NOT_VALID -> fail(report, "signer-not-valid", e, judgement.reason());
      }
    }
  }

  /** §3: every chain from seq 0, each seq one more than the last, prev the hash of the entry before. */
  private void checkChains(List<Entry> entries, Report report) {
    Map<String, List<Entry>> chains = new LinkedHashMap<>();
    for (Entry e : entries) if (e.chain() != null && e.seq() != null) chains.computeIfAbsent(e.chain(), k -> new ArrayList<>()).add(e);
    if (!chains.containsKey("keys") && !chains.isEmpty()) report.fail("malformed", "the bundle holds no entries of chain keys (§6: always all of it)");
    boolean decides = entries.stream().anyMatch(e -> "decision".equals(e.string("type")));
    if (decides && !chains.containsKey("policies")) report.fail("malformed", "the bundle holds decisions but no entries of chain policies (§6: always all of it)");
    for (List<Entry> chain : chains.values()) {
      Entry previous = null;
      long expected = 0;
      for (Entry e : chain) {
        long seq = e.seq();
        Object prev = e.record.get("prev");
        if (seq != expected) {
          fail(report, "seq-gap", e, "expected seq " + expected + " in chain " + e.chain() + ", found " + seq);
        } else if (seq == 0 && prev != Json.NULL) {
          fail(report, "broken-link", e, "seq 0 has prev " + prev + ", not null");
        } else if (seq > 0 && previous.string("hash") != null && !previous.string("hash").equals(prev)) {
          fail(report, "broken-link", e, "prev is " + prev + " but the entry at seq " + (seq - 1) + " has hash " + previous.string("hash"));
        }
        previous = e;
        expected = seq + 1;
      }
    }
  }

  /** A review names the decision it reviews by chain, seq and hash; when that entry is here, the hash must be its. */
  private void checkReviews(List<Entry> entries, Report report) {
    Map<String, Entry> bySeq = new HashMap<>();
    for (Entry e : entries) if (e.shaped) bySeq.put(e.chain() + "\u0000" + e.seq(), e);
    for (Entry e : entries) {
      if (!e.shaped || !"review".equals(e.string("type"))) continue;
      Map<String, Object> decision = RecordShape.asObject(e.body().get("decision"));
      Entry reviewed = bySeq.get(decision.get("chain") + "\u0000" + decision.get("seq"));
      if (reviewed != null && !reviewed.string("hash").equals(decision.get("hash"))) {
        fail(report, "broken-link", e, "the review names " + decision.get("chain") + " seq " + decision.get("seq")
            + " with hash " + decision.get("hash") + ", but that entry's hash is " + reviewed.string("hash"));
      }
    }
  }

  /** §4: a policy's digest is the SHA-256 of the JCS form of its document. */
  private void checkPolicies(List<Entry> entries, Report report) {
    for (Entry e : entries) {
      if (!e.shaped || !"policy".equals(e.string("type"))) continue;
      Map<String, Object> body = e.body();
      try {
        String computed = HexFormat.of().formatHex(Merkle.sha256(Jcs.canonicalBytes(body.get("document"))));
        if (!computed.equals(body.get("digest"))) {
          fail(report, "hash-mismatch", e, "body.digest is " + body.get("digest") + " but the document hashes to " + computed);
        }
      } catch (Jcs.NotCanonicalizable ex) {
        fail(report, "malformed", e, "body.document has no canonical form: " + ex.getMessage());
      }
    }
  }

  /** §3: exactly one decision entry per (trigger event id, decision point). */
  private void checkDuplicateDecisions(List<Entry> entries, Report report) {
    Map<String, Entry> first = new HashMap<>();
    for (Entry e : entries) {
      if (!e.shaped || !"decision".equals(e.string("type"))) continue;
      Map<String, Object> body = e.body();
      Object eventId = RecordShape.asObject(body.get("trigger")).get("eventId");
      Object point = body.get("decisionPoint");
      Entry earlier = first.putIfAbsent(eventId + "\u0000" + point, e);
      if (earlier != null) {
        fail(report, "duplicate-decision", e, "a decision for trigger event " + eventId + " at decision point " + point
            + " is already at " + earlier.chain() + " seq " + earlier.seq());
      }
    }
  }

  /** §5: a checkpoint of this ledger's origin. */
  private Checkpoint readCheckpoint(Object value, String ledger, Report report) {
    if (!(value instanceof String note)) {
      report.fail("malformed", "checkpoint is not a string");
      return null;
    }
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.parse(note);
    } catch (Checkpoint.Malformed e) {
      report.fail("malformed", "checkpoint: " + e.getMessage());
      return null;
    }
    report.checkpoint = checkpoint;
    if (ledger != null && !checkpoint.origin().equals("arbiter.ledger/" + ledger)) {
      report.fail("checkpoint-signature", "the checkpoint's origin is " + checkpoint.origin() + ", not arbiter.ledger/" + ledger);
    }
    return checkpoint;
  }

  /** §5: signed by a key registered with role checkpoint, found by the key id rule. */
  private boolean checkpointSigned(Checkpoint checkpoint, KeyRegistry registry, Report report) {
    List<String> tried = new ArrayList<>();
    for (Checkpoint.NoteSignature signature : checkpoint.signatures()) {
      for (KeyRegistry.Registration key : registry.withRole("checkpoint")) {
        if (!Arrays.equals(Checkpoint.keyId(signature.keyName(), key.publicKey()), signature.keyId())) continue;
        if (registry.everRevoked(key.did())) {
          tried.add(signature.keyName() + ": key " + key.did() + " has been revoked");
          continue;
        }
        Ed25519.Verdict verdict = Ed25519.verify(key.publicKey(), checkpoint.text(), signature.signature());
        if (verdict == Ed25519.Verdict.VALID) return true;
        tried.add(signature.keyName() + ": " + verdict.message);
      }
    }
    String names = checkpoint.signatures().stream().map(Checkpoint.NoteSignature::keyName).toList().toString();
    String detail = registry.withRole("checkpoint").isEmpty()
        ? "no key with role checkpoint is registered in chain keys"
        : tried.isEmpty() ? "no signature's key id matches a key registered with role checkpoint" : String.join("; ", tried);
    report.fail("checkpoint-signature", "no valid checkpoint signature among " + names + ": " + detail);
    return false;
  }

  /**
   * §5–§6: entries in leaf order under the checkpoint, each with a valid inclusion proof, or all the
   * leaves below the tree size so the root can be recomputed. Returns the leaf hashes of the
   * contiguous run of leaves from 0 the bundle holds, for the witness's consistency check.
   */
  private List<byte[]> checkLog(List<Entry> entries, Checkpoint checkpoint, Report report) {
    List<byte[]> prefix = new ArrayList<>();
    long previousLeaf = -1;
    boolean ordered = true;
    for (Entry e : entries) {
      if (e.leaf == null) continue;
      if (e.leaf <= previousLeaf) {
        fail(report, "malformed", e, "leaf " + e.leaf + " does not follow leaf " + previousLeaf + " (§6: entries are in leaf order)");
        ordered = false;
      }
      previousLeaf = Math.max(previousLeaf, e.leaf);
      byte[] hash = e.hashBytes();
      if (ordered && hash != null && e.leaf == prefix.size()) prefix.add(Merkle.leafHash(hash));
    }
    if (checkpoint == null) return prefix;
    long size = checkpoint.size();
    int withoutProof = 0;
    Set<Long> covered = new HashSet<>();
    for (Entry e : entries) {
      if (e.leaf == null) continue;
      if (e.leaf >= size) {
        fail(report, "inclusion-proof", e, "leaf " + e.leaf + " is not covered by the checkpoint (tree size " + size + ")");
        continue;
      }
      covered.add(e.leaf);
      byte[] hash = e.hashBytes();
      if (e.proof == null) {
        withoutProof++;
      } else if (hash != null && !Merkle.verifyInclusion(e.leaf, size, Merkle.leafHash(hash), e.proof, checkpoint.root())) {
        fail(report, "inclusion-proof", e, "the inclusion proof of leaf " + e.leaf + " does not lead to the checkpoint's root");
      }
    }
    boolean complete = ordered && prefix.size() >= size && covered.size() == size;
    if (complete) {
      byte[] root = Merkle.root(prefix.subList(0, (int) size));
      if (!Arrays.equals(root, checkpoint.root())) {
        report.fail("root-mismatch", "the " + size + " leaves hash to root " + Base64.getEncoder().encodeToString(root)
            + ", not the checkpoint's " + checkpoint.rootBase64());
      }
    } else if (withoutProof > 0 && covered.size() < size) {
      report.fail("truncated", withoutProof + " entries have no inclusion proof, so the bundle must hold every leaf below the tree size "
          + size + ", but it holds " + covered.size() + (prefix.size() < size ? "; the first missing leaf is " + prefix.size() : ""));
    }
    return prefix;
  }

  private static boolean isDidKey(String did) {
    try {
      DidKey.publicKey(did);
      return true;
    } catch (DidKey.Invalid e) {
      return false;
    }
  }

  private static byte[] signerKey(Entry e) {
    return publicKey(e.string("signer"));
  }

  private static byte[] publicKey(String did) {
    try {
      return DidKey.publicKey(did);
    } catch (DidKey.Invalid ex) {
      throw new IllegalStateException("a shaped record holds an invalid did:key", ex);
    }
  }

  private static void fail(Report report, String code, Entry e, String message) {
    report.fail(code, e.chain(), e.seq(), e.leaf, message);
  }
}
