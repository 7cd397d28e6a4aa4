package arbiter.conformance;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LEDGER-SPEC §5 witness state: the last checkpoint verified per origin, kept as its signed note in
 * {@code <dir>/<origin, URL-encoded>.checkpoint}. A newer checkpoint is accepted only when it is shown
 * to extend the witnessed one; a smaller size is a rollback, the same size with another root a fork,
 * and then both notes are kept under {@code <dir>/evidence/}.
 */
final class Witness {
  enum State {
    /** Nothing witnessed yet for this origin. */
    FIRST,
    /** The same checkpoint as witnessed. */
    SAME,
    /** Larger, and a consistency proof or the bundle's own leaves show it extends the witnessed one. */
    EXTENDED,
    /** Larger, but neither a consistency proof nor the leaves to recompute the witnessed root: not accepted. */
    UNPROVEN,
    ROLLBACK,
    FORK
  }

  private final Path dir;

  Witness(Path dir) {
    this.dir = dir;
  }

  /** An RFC 9162 consistency proof between two tree sizes, as the gateway serves it. */
  record ConsistencyProof(long from, long to, List<byte[]> hashes) {}

  /** Compares with the witnessed checkpoint, reports rollback or fork, and says what it found. */
  State check(Checkpoint presented, List<byte[]> leafHashesFromZero, ConsistencyProof proof, Report report) throws IOException {
    Checkpoint witnessed = load(presented.origin());
    State state = compare(witnessed, presented, leafHashesFromZero, proof);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("origin", presented.origin());
    summary.put("state", state.name().toLowerCase());
    if (witnessed != null) {
      summary.put("witnessedSize", witnessed.size());
      summary.put("witnessedRoot", witnessed.rootBase64());
    }
    report.witness = summary;
    if (state == State.ROLLBACK) {
      report.fail("rollback", "the checkpoint's tree size " + presented.size() + " is below the witnessed " + witnessed.size()
          + "; both notes kept in " + keepEvidence(witnessed, presented));
    } else if (state == State.FORK) {
      report.fail("fork", "the checkpoint (size " + presented.size() + ", root " + presented.rootBase64()
          + ") does not extend the witnessed one (size " + witnessed.size() + ", root " + witnessed.rootBase64()
          + "); both notes kept in " + keepEvidence(witnessed, presented));
    }
    return state;
  }

  private static State compare(Checkpoint witnessed, Checkpoint presented, List<byte[]> leafHashesFromZero, ConsistencyProof proof) {
    if (witnessed == null) return State.FIRST;
    if (presented.size() < witnessed.size()) return State.ROLLBACK;
    if (presented.size() == witnessed.size()) return Arrays.equals(presented.root(), witnessed.root()) ? State.SAME : State.FORK;
    if (proof != null && proof.from() == witnessed.size() && proof.to() == presented.size()) {
      return Merkle.verifyConsistency(witnessed.size(), presented.size(), witnessed.root(), presented.root(), proof.hashes()) ? State.EXTENDED : State.FORK;
    }
    if (leafHashesFromZero.size() < witnessed.size()) return State.UNPROVEN;
    byte[] oldRoot = Merkle.root(leafHashesFromZero.subList(0, (int) witnessed.size()));
    return Arrays.equals(oldRoot, witnessed.root()) ? State.EXTENDED : State.FORK;
  }

  void accept(Checkpoint checkpoint) throws IOException {
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "checkpoint", ".tmp");
    Files.writeString(tmp, checkpoint.note(), StandardCharsets.UTF_8);
    Files.move(tmp, stateFile(checkpoint.origin()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Checkpoint load(String origin) throws IOException {
    Path file = stateFile(origin);
    if (!Files.exists(file)) return null;
    try {
      return Checkpoint.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (Checkpoint.Malformed e) {
      throw new IOException("witness state " + file + " is not a checkpoint: " + e.getMessage());
    }
  }

  private Path keepEvidence(Checkpoint witnessed, Checkpoint presented) throws IOException {
    Path evidence = dir.resolve("evidence");
    Files.createDirectories(evidence);
    Path file = Files.createTempFile(evidence, encode(presented.origin()) + "-", ".txt");
    Files.writeString(file, "witnessed checkpoint:\n" + witnessed.note() + "\npresented checkpoint:\n" + presented.note(), StandardCharsets.UTF_8);
    return file;
  }

  private Path stateFile(String origin) {
    return dir.resolve(encode(origin) + ".checkpoint");
  }

  private static String encode(String origin) {
    return URLEncoder.encode(origin, StandardCharsets.UTF_8);
  }
}
