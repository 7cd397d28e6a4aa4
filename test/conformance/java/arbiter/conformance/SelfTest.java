package arbiter.conformance;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks each piece of the verifier against published vectors (the files in {@code vectors/}, each
 * naming its source) and against the rules of the RFCs it implements. Prints one JSON object,
 * {@code {"results":[{"group","name","ok","detail"}...]}}; exits 0 when every check holds.
 */
public final class SelfTest {
  private final Path vectors;
  private final List<Map<String, Object>> results = new ArrayList<>();
  private static final HexFormat HEX = HexFormat.of();

  private SelfTest(Path vectors) {
    this.vectors = vectors;
  }

  public static void main(String[] args) throws Exception {
    SelfTest test = new SelfTest(Path.of(args[0]));
    test.ed25519Rfc8032();
    test.ed25519Strictness();
    test.jcs();
    test.ijson();
    test.didKey();
    test.merkle();
    test.signedNote();
    test.checkpointForm();
    System.out.println("{\"results\":[" + String.join(",", test.results.stream().map(Jcs::canonical).toList()) + "]}");
    System.exit(test.results.stream().allMatch(r -> Boolean.TRUE.equals(r.get("ok"))) ? 0 : 1);
  }

  private void check(String group, String name, boolean ok, String detail) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("group", group);
    result.put("name", name);
    result.put("ok", ok);
    result.put("detail", detail);
    results.add(result);
  }

  private Map<String, Object> load(String file) throws Exception {
    return RecordShape.asObject(Json.parse(Files.readAllBytes(vectors.resolve(file)), Json.Numbers.INTEGERS).value());
  }

  private static List<Map<String, Object>> objects(Object list) {
    return ((List<?>) list).stream().map(RecordShape::asObject).toList();
  }

  private static byte[] hex(Object text) {
    return HEX.parseHex((String) text);
  }

  // ---- Ed25519 ----------------------------------------------------------------------------------

  private void ed25519Rfc8032() throws Exception {
    String g = "ed25519-rfc8032";
    for (Map<String, Object> v : objects(load("ed25519-rfc8032.json").get("vectors"))) {
      String name = (String) v.get("name");
      byte[] seed = hex(v.get("secretKey")), pub = hex(v.get("publicKey")), msg = hex(v.get("message")), sig = hex(v.get("signature"));
      byte[] derived = Ed25519.publicKeyFromSeed(seed);
      check(g, name + ": the public key derived from the secret key", Arrays.equals(derived, pub), HEX.formatHex(derived));
      byte[] signed = jdkSign(seed, msg);
      check(g, name + ": the JDK signs the RFC's signature", Arrays.equals(signed, sig), HEX.formatHex(signed));
      Ed25519.Verdict verdict = Ed25519.verify(pub, msg, sig);
      check(g, name + ": strict verification accepts it", verdict == Ed25519.Verdict.VALID, verdict.name());
      byte[] otherMessage = Arrays.copyOf(msg, msg.length + 1);
      check(g, name + ": another message is refused", Ed25519.verify(pub, otherMessage, sig) == Ed25519.Verdict.EQUATION_FAILS, "");
      byte[] flipped = sig.clone();
      flipped[5] ^= 0x10;
      check(g, name + ": a flipped signature bit is refused", Ed25519.verify(pub, msg, flipped) != Ed25519.Verdict.VALID, "");
      byte[] malleated = withS(sig, Ed25519.littleEndian(Arrays.copyOfRange(sig, 32, 64)).add(Ed25519.L));
      Ed25519.Verdict m = Ed25519.verify(pub, msg, malleated);
      check(g, name + ": S + L is refused as S ≥ L", m == Ed25519.Verdict.S_NOT_REDUCED,
          m.name() + "; the JDK alone " + (Ed25519.jdkVerifies(pub, msg, malleated) ? "accepts" : "refuses") + " it");
    }
  }

  private void ed25519Strictness() throws Exception {
    String g = "ed25519-strict";
    for (Map<String, Object> p : objects(load("ed25519-small-order.json").get("points"))) {
      Ed25519.Verdict v = Ed25519.checkPublicKey(hex(p.get("encoding")));
      check(g, "a key of order " + p.get("order") + " (" + p.get("encoding") + ") is refused as small order", v == Ed25519.Verdict.KEY_SMALL_ORDER, v.name());
    }
    byte[] identity = hex("0100000000000000000000000000000000000000000000000000000000000000");
    byte[] trivial = new byte[64];
    System.arraycopy(identity, 0, trivial, 0, 32);
    byte[] message = "any message at all".getBytes(StandardCharsets.UTF_8);
    Ed25519.Verdict v = Ed25519.verify(identity, message, trivial);
    check(g, "the signature (R = identity, S = 0) under the identity key is refused", v == Ed25519.Verdict.KEY_SMALL_ORDER,
        v.name() + "; the JDK alone " + (Ed25519.jdkVerifies(identity, message, trivial) ? "accepts" : "refuses") + " it");
    byte[] yIsPPlusOne = hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    v = Ed25519.checkPublicKey(yIsPPlusOne);
    check(g, "a key encoding y ≥ p (p + 1, the identity) is refused as non-canonical", v == Ed25519.Verdict.KEY_NOT_CANONICAL, v.name());
    byte[] negativeZeroX = hex("0100000000000000000000000000000000000000000000000000000000000080");
    v = Ed25519.checkPublicKey(negativeZeroX);
    check(g, "a key encoding x = 0 with the sign bit set is refused as non-canonical", v == Ed25519.Verdict.KEY_NOT_CANONICAL, v.name());
    Map<String, Object> test1 = objects(load("ed25519-rfc8032.json").get("vectors")).get(0);
    byte[] sig = hex(test1.get("signature"));
    System.arraycopy(hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), 0, sig, 0, 32);
    v = Ed25519.verify(hex(test1.get("publicKey")), hex(test1.get("message")), sig);
    check(g, "an R encoding y = p is refused as non-canonical", v == Ed25519.Verdict.R_NOT_CANONICAL, v.name());
  }

  private static byte[] withS(byte[] signature, BigInteger s) {
    byte[] out = signature.clone();
    System.arraycopy(Ed25519.toLittleEndian(s), 0, out, 32, 32);
    return out;
  }

  private static byte[] jdkSign(byte[] seed, byte[] message) throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed)));
    signer.update(message);
    return signer.sign();
  }

  // ---- RFC 8785 --------------------------------------------------------------------------------

  private void jcs() throws Exception {
    String g = "jcs-rfc8785";
    Map<String, Object> file = load("jcs-rfc8785.json");
    for (Map<String, Object> n : objects(file.get("numbers"))) {
      double d = Double.longBitsToDouble(new BigInteger((String) n.get("ieee754"), 16).longValue());
      String got;
      try {
        got = Jcs.number(d);
      } catch (Jcs.NotCanonicalizable e) {
        got = null;
      }
      Object want = n.get("json") == Json.NULL ? null : n.get("json");
      check(g, "number " + n.get("ieee754") + " is written " + want, java.util.Objects.equals(got, want), String.valueOf(got));
    }
    Map<String, Object> sample = RecordShape.asObject(file.get("sample"));
    byte[] bytes = Jcs.canonicalBytes(Json.parse((String) sample.get("input"), Json.Numbers.ANY).value());
    check(g, "the §3.2.2 sample canonicalises to the §3.2.4 bytes", HEX.formatHex(bytes).equals(sample.get("utf8")), new String(bytes, StandardCharsets.UTF_8));
    Map<String, Object> sorting = RecordShape.asObject(file.get("sorting"));
    Object parsed = Json.parse((String) sorting.get("input"), Json.Numbers.ANY).value();
    Map<String, Object> reread = RecordShape.asObject(Json.parse(Jcs.canonical(parsed), Json.Numbers.ANY).value());
    List<Object> order = new ArrayList<>(reread.values());
    check(g, "§3.2.3: names sort by UTF-16 code units", order.equals(sorting.get("valuesInOrder")), order.toString());
    String escapes = Jcs.canonical("\u0000\u001f\u007f\b\f\u2028\"\\/");
    check(g, "§3.2.2.2: C0 controls as \\u00xx in lowercase or the short escapes, '/' and U+007F and U+2028 as themselves",
        escapes.equals("\"\\u0000\\u001f\u007f\\b\\f\u2028\\\"\\\\/\""), escapes);
  }

  // ---- RFC 7493 as LEDGER-SPEC §1 narrows it ---------------------------------------------------

  private void ijson() throws Exception {
    String g = "i-json";
    String[][] refused = {
        {"{\"a\":1,\"a\":1}", "duplicate member name"},
        {"{\"a\":[{\"b\":{\"c\":1,\"c\":2}}]}", "duplicate member name"},
        {"{\"n\":1.5}", "non-integer"},
        {"{\"n\":1.0}", "non-integer"},
        {"{\"n\":1e3}", "non-integer"},
        {"{\"n\":9007199254740992}", "beyond"},
        {"{\"n\":-9007199254740992}", "beyond"},
        {"{\"s\":\"\\ud800\"}", "lone surrogate"},
        {"{\"s\":\"x\\udc00\"}", "lone surrogate"},
        {"{\"\\ud83d\":1}", "lone surrogate"},
        {"{\"s\":\"\\uffff\"}", "noncharacter"},
        {"{\"s\":\"\\udbff\\udfff\"}", "noncharacter"},
    };
    for (String[] c : refused) {
      List<Json.Problem> problems = Json.parse(c[0], Json.Numbers.INTEGERS).problems();
      boolean ok = !problems.isEmpty() && problems.get(0).message().contains(c[1]);
      check(g, c[0] + " is refused: " + c[1], ok, problems.toString());
    }
    String[] accepted = {"{\"n\":9007199254740991}", "{\"n\":-9007199254740991}", "{\"s\":\"\\ud83d\\ude00\"}", "{\"a\":{\"a\":1},\"b\":{\"a\":1}}"};
    for (String c : accepted) {
      List<Json.Problem> problems = Json.parse(c, Json.Numbers.INTEGERS).problems();
      check(g, c + " is accepted", problems.isEmpty(), problems.toString());
    }
    String[] notJson = {"{\"a\":1,}", "[01]", "{\"a\":\"\t\"}", "\uFEFF{}", "{} {}", "{\"a\":tru}", "[1,]"};
    for (String c : notJson) {
      boolean ok;
      try {
        Json.parse(c, Json.Numbers.INTEGERS);
        ok = false;
      } catch (Json.SyntaxError e) {
        ok = true;
      }
      check(g, "not JSON: " + c.replace("\t", "\\t").replace("\uFEFF", "<BOM>"), ok, "");
    }
    boolean overlongRefused;
    try {
      Json.parse(new byte[] {'"', (byte) 0xc0, (byte) 0xaf, '"'}, Json.Numbers.INTEGERS);
      overlongRefused = false;
    } catch (Json.SyntaxError e) {
      overlongRefused = true;
    }
    check(g, "not UTF-8: an overlong encoding", overlongRefused, "");
  }

  // ---- did:key ---------------------------------------------------------------------------------

  private void didKey() throws Exception {
    String g = "did-key";
    for (Map<String, Object> k : objects(load("did-key.json").get("keys"))) {
      byte[] pub = hex(k.get("publicKey"));
      String did = DidKey.encode(pub);
      check(g, k.get("name") + ": encodes as " + k.get("did"), did.equals(k.get("did")) && did.startsWith("did:key:z6Mk"), did);
      check(g, k.get("name") + ": decodes to its key", Arrays.equals(DidKey.publicKey((String) k.get("did")), pub), "");
    }
    byte[] key = hex(objects(load("did-key.json").get("keys")).get(0).get("publicKey"));
    byte[] x25519 = new byte[34];
    x25519[0] = (byte) 0xec;
    x25519[1] = 0x01;
    System.arraycopy(key, 0, x25519, 2, 32);
    String[][] refused = {
        {"did:key:z" + DidKey.base58Encode(x25519), "another multicodec (0xec 0x01, X25519)"},
        {"did:key:z" + DidKey.base58Encode(Arrays.copyOf(x25519, 33)), "a short key"},
        {"did:key:zI" + DidKey.encode(key).substring(10), "a character outside base58btc"},
        {"did:key:" + DidKey.encode(key).substring(9), "no multibase 'z'"},
    };
    for (String[] c : refused) {
      boolean ok;
      try {
        DidKey.publicKey(c[0]);
        ok = false;
      } catch (DidKey.Invalid e) {
        ok = true;
      }
      check(g, "refused: " + c[1], ok, c[0]);
    }
  }

  // ---- RFC 9162 --------------------------------------------------------------------------------

  private void merkle() throws Exception {
    String g = "merkle-rfc9162";
    Map<String, Object> file = load("merkle-rfc9162.json");
    Map<String, Object> sets = RecordShape.asObject(file.get("leafSets"));
    for (Map<String, Object> tree : objects(file.get("trees"))) {
      List<byte[]> leaves = ((List<?>) sets.get(tree.get("leaves"))).stream().map(SelfTest::hex).toList();
      int size = ((Long) tree.get("size")).intValue();
      List<byte[]> leafHashes = leaves.subList(0, size).stream().map(Merkle::leafHash).toList();
      byte[] root = hex(tree.get("root"));
      String label = tree.get("leaves") + " size " + size;
      check(g, label + ": MTH", Arrays.equals(Merkle.root(leafHashes), root), HEX.formatHex(Merkle.root(leafHashes)));
      boolean inclusionOk = true, tamperedRefused = true;
      for (Map<String, Object> inc : objects(tree.get("inclusion"))) {
        int index = ((Long) inc.get("index")).intValue();
        List<byte[]> path = ((List<?>) inc.get("path")).stream().map(SelfTest::hex).toList();
        inclusionOk &= Merkle.verifyInclusion(index, size, leafHashes.get(index), path, root);
        tamperedRefused &= !Merkle.verifyInclusion(index, size, Merkle.leafHash(new byte[] {42}), path, root);
        if (size > 1) tamperedRefused &= !Merkle.verifyInclusion((index + 1) % size, size, leafHashes.get(index), path, root);
        if (!path.isEmpty()) tamperedRefused &= !Merkle.verifyInclusion(index, size, leafHashes.get(index), path.subList(0, path.size() - 1), root);
      }
      if (size > 0) {
        check(g, label + ": every inclusion path verifies", inclusionOk, "");
        check(g, label + ": inclusion fails for another leaf, another index or a shortened path", tamperedRefused, "");
      }
      boolean consistencyOk = true, wrongRefused = true;
      for (Map<String, Object> con : objects(tree.get("consistency"))) {
        long from = (Long) con.get("from");
        byte[] fromRoot = hex(con.get("fromRoot"));
        List<byte[]> proof = ((List<?>) con.get("proof")).stream().map(SelfTest::hex).toList();
        consistencyOk &= Merkle.verifyConsistency(from, size, fromRoot, root, proof);
        byte[] otherRoot = Merkle.sha256(fromRoot);
        wrongRefused &= !Merkle.verifyConsistency(from, size, otherRoot, root, proof);
        wrongRefused &= !Merkle.verifyConsistency(from, size, fromRoot, otherRoot, proof);
      }
      if (size > 0) {
        check(g, label + ": every consistency proof verifies", consistencyOk, "");
        check(g, label + ": consistency fails against another old or new root", wrongRefused, "");
      }
    }
  }

  // ---- C2SP signed note and LEDGER-SPEC §5 checkpoints -----------------------------------------

  private void signedNote() throws Exception {
    String g = "c2sp-signed-note";
    Map<String, Object> file = load("c2sp-signed-note.json");
    String vkey = (String) file.get("verifierKey");
    String[] parts = vkey.split("\\+", 3);
    byte[] typeAndKey = Base64.getDecoder().decode(parts[2]);
    byte[] pub = Arrays.copyOfRange(typeAndKey, 1, typeAndKey.length);
    byte[] keyId = Checkpoint.keyId(parts[0], pub);
    check(g, "key id of " + parts[0] + " is " + parts[1], HEX.formatHex(keyId).equals(parts[1]), HEX.formatHex(keyId));
    String note = (String) file.get("note");
    String text = note.substring(0, note.lastIndexOf("\n\n") + 1);
    List<Checkpoint.NoteSignature> signatures = Checkpoint.splitNote(note).signatures();
    Checkpoint.NoteSignature signature = signatures.get(0);
    check(g, "the note has one signature line, by " + parts[0], signatures.size() == 1 && signature.keyName().equals(parts[0])
        && Arrays.equals(signature.keyId(), keyId), signature.keyName());
    byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
    check(g, "its signature verifies over the text", Ed25519.verify(pub, textBytes, signature.signature()) == Ed25519.Verdict.VALID, "");
    byte[] changed = text.replace("cryptography", "cryptographY").getBytes(StandardCharsets.UTF_8);
    check(g, "a changed text is refused", Ed25519.verify(pub, changed, signature.signature()) != Ed25519.Verdict.VALID, "");
    byte[] seed = Arrays.copyOfRange(Base64.getDecoder().decode(((String) file.get("signerKey")).split("\\+", 5)[4]), 1, 33);
    byte[] blob = concat(keyId, jdkSign(seed, textBytes));
    String line = "\u2014 " + parts[0] + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    check(g, "signing the text with the signer key gives the published note", (text + "\n" + line).equals(note), line);
  }

  private void checkpointForm() throws Exception {
    String g = "checkpoint";
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) 7);
    byte[] pub = Ed25519.publicKeyFromSeed(seed);
    String root = Base64.getEncoder().encodeToString(Merkle.sha256("root".getBytes(StandardCharsets.UTF_8)));
    String text = "arbiter.ledger/arbiter\n1200\n" + root + "\n";
    String note = text + "\n\u2014 checkpoint " + Base64.getEncoder().encodeToString(
        concat(Checkpoint.keyId("checkpoint", pub), jdkSign(seed, text.getBytes(StandardCharsets.UTF_8)))) + "\n";
    Checkpoint c = Checkpoint.parse(note);
    check(g, "a checkpoint reads as origin, size and root", c.origin().equals("arbiter.ledger/arbiter") && c.size() == 1200
        && c.rootBase64().equals(root) && Arrays.equals(c.text(), text.getBytes(StandardCharsets.UTF_8)), c.origin() + " " + c.size());
    check(g, "its signature verifies over exactly the three lines",
        Ed25519.verify(pub, c.text(), c.signatures().get(0).signature()) == Ed25519.Verdict.VALID, "");
    String[][] refused = {
        {note.replace("\n1200\n", "\n01200\n"), "a size with a leading zero"},
        {note.replace(root + "\n", root.replace("=", "") + "\n"), "a root without base64 padding"},
        {note.replace(root + "\n", root + "\nextension\n"), "a fourth text line"},
        {note.replace("\u2014 ", "- "), "a signature line without U+2014"},
        {note.replace("\n\n", "\n"), "no blank line before the signatures"},
        {text + "\n", "no signature line"},
    };
    for (String[] r : refused) {
      boolean ok;
      try {
        Checkpoint.parse(r[0]);
        ok = false;
      } catch (Checkpoint.Malformed e) {
        ok = true;
      }
      check(g, "refused: " + r[1], ok, "");
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
