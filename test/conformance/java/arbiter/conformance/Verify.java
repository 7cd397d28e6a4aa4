package arbiter.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of the independent verifier:
 * {@code java -cp <build> arbiter.conformance.Verify --bundle FILE --trust <root did:key> [--witness-dir DIR [--consistency FILE]]}.
 * Prints the LEDGER-SPEC §7 report and exits 0 when everything verifies, 1 when anything fails, 2 on
 * a usage or I/O error.
 */
public final class Verify {
  private static final String USAGE =
      "usage: Verify --bundle FILE --trust <root did:key> [--witness-dir DIR [--consistency FILE]]";
  private static final Set<String> OPTIONS = Set.of("--bundle", "--trust", "--witness-dir", "--consistency");

  private Verify() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!OPTIONS.contains(args[i]) || i + 1 >= args.length || options.containsKey(args[i])) return usage("bad argument " + args[i]);
      options.put(args[i], args[i + 1]);
    }
    if (!options.containsKey("--bundle") || !options.containsKey("--trust")) return usage("--bundle and --trust are required");
    if (options.containsKey("--consistency") && !options.containsKey("--witness-dir")) return usage("--consistency needs --witness-dir");
    try {
      DidKey.publicKey(options.get("--trust"));
    } catch (DidKey.Invalid e) {
      return usage("--trust: " + e.getMessage());
    }
    byte[] bundle;
    try {
      bundle = Files.readAllBytes(Path.of(options.get("--bundle")));
    } catch (IOException e) {
      System.err.println("cannot read the bundle: " + e);
      return 2;
    }
    BundleVerifier.Outcome outcome = new BundleVerifier(options.get("--trust")).verify(bundle);
    Report report = outcome.report();
    if (options.containsKey("--witness-dir") && outcome.verifiedCheckpoint() != null) {
      try {
        Witness.ConsistencyProof proof = options.containsKey("--consistency") ? readConsistency(Path.of(options.get("--consistency"))) : null;
        Witness witness = new Witness(Path.of(options.get("--witness-dir")));
        Witness.State state = witness.check(outcome.verifiedCheckpoint(), outcome.leafHashesFromZero(), proof, report);
        if (report.ok() && (state == Witness.State.FIRST || state == Witness.State.EXTENDED)) witness.accept(outcome.verifiedCheckpoint());
      } catch (IOException e) {
        System.err.println("witness state: " + e.getMessage());
        return 2;
      }
    }
    System.out.println(report.toJson());
    return report.ok() ? 0 : 1;
  }

  /** {@code {"from": <size>, "to": <size>, "proof": ["<base64 hash>", ...]}}, as GET /v1/ledger/proofs/consistency answers. */
  private static Witness.ConsistencyProof readConsistency(Path file) throws IOException {
    try {
      Json.Parsed parsed = Json.parse(Files.readAllBytes(file), Json.Numbers.INTEGERS);
      if (!parsed.problems().isEmpty() || !(parsed.value() instanceof Map<?, ?> value)) throw new IOException("not an I-JSON object");
      Map<String, Object> proof = RecordShape.asObject(value);
      List<byte[]> hashes = new ArrayList<>();
      for (Object hash : (List<?>) proof.get("proof")) hashes.add(Checkpoint.decodeStrictBase64((String) hash, "consistency proof hash"));
      return new Witness.ConsistencyProof((Long) proof.get("from"), (Long) proof.get("to"), hashes);
    } catch (Json.SyntaxError | Checkpoint.Malformed | ClassCastException | NullPointerException e) {
      throw new IOException("--consistency " + file + ": " + e.getMessage());
    }
  }

  private static int usage(String problem) {
    System.err.println(problem);
    System.err.println(USAGE);
    return 2;
  }
}
