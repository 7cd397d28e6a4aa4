package arbiter.conformance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * LEDGER-SPEC §5 checkpoints: a C2SP signed note whose text is the three tlog-checkpoint lines
 * (origin, tree size, root hash), followed by a blank line and signature lines
 * {@code — <key name> <base64(key id ‖ signature)>}.
 */
record Checkpoint(String note, byte[] text, String origin, long size, byte[] root, String rootBase64, List<NoteSignature> signatures) {

  record NoteSignature(String keyName, byte[] keyId, byte[] signature) {}

  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  private static final String SIGNATURE_LINE_START = "\u2014 ";
  private static final Pattern SIZE = Pattern.compile("0|[1-9][0-9]{0,18}");

  static Checkpoint parse(String note) throws Malformed {
    NoteParts parts = splitNote(note);
    String[] lines = parts.text.substring(0, parts.text.length() - 1).split("\n", -1);
    if (lines.length != 3) throw new Malformed("the note text has " + lines.length + " lines, not the three of a checkpoint");
    String origin = lines[0];
    if (origin.isEmpty()) throw new Malformed("empty origin line");
    if (!SIZE.matcher(lines[1]).matches()) throw new Malformed("tree size is not a decimal without leading zeros: " + lines[1]);
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new Malformed("tree size out of range: " + lines[1]);
    }
    byte[] root = decodeStrictBase64(lines[2], "root hash");
    if (root.length != 32) throw new Malformed("root hash is " + root.length + " bytes, not 32");
    return new Checkpoint(note, parts.text.getBytes(StandardCharsets.UTF_8), origin, size, root, lines[2], parts.signatures);
  }

  record NoteParts(String text, List<NoteSignature> signatures) {}

  /** C2SP signed-note: text ending in a newline, a blank line, one or more signature lines. */
  static NoteParts splitNote(String note) throws Malformed {
    if (note.indexOf('\r') >= 0) throw new Malformed("the note contains a carriage return");
    int blank = note.lastIndexOf("\n\n");
    if (blank < 0) throw new Malformed("no blank line between the note text and its signatures");
    String text = note.substring(0, blank + 1);
    String rest = note.substring(blank + 2);
    if (rest.isEmpty() || !rest.endsWith("\n")) throw new Malformed("the signature block is empty or does not end with a newline");
    List<NoteSignature> signatures = new ArrayList<>();
    for (String line : rest.substring(0, rest.length() - 1).split("\n", -1)) {
      if (!line.startsWith(SIGNATURE_LINE_START)) throw new Malformed("a signature line does not start with U+2014 and a space: " + line);
      String[] fields = line.substring(SIGNATURE_LINE_START.length()).split(" ", -1);
      if (fields.length != 2 || fields[0].isEmpty() || fields[0].contains("+")) {
        throw new Malformed("a signature line is not '— <key name> <base64>': " + line);
      }
      byte[] blob = decodeStrictBase64(fields[1], "signature");
      if (blob.length < 5) throw new Malformed("a signature is shorter than a key id and one byte");
      signatures.add(new NoteSignature(fields[0], Arrays.copyOfRange(blob, 0, 4), Arrays.copyOfRange(blob, 4, blob.length)));
    }
    return new NoteParts(text, List.copyOf(signatures));
  }

  /** Key id = the first 4 bytes of SHA-256(key name ‖ '\n' ‖ 0x01 ‖ 32-byte public key). */
  static byte[] keyId(String keyName, byte[] publicKey) {
    byte[] name = (keyName + "\n").getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(Merkle.sha256(name, new byte[] {0x01}, publicKey), 4);
  }

  /** Standard base64 with padding, and only its canonical form (re-encoding gives the same text). */
  static byte[] decodeStrictBase64(String text, String what) throws Malformed {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new Malformed(what + " is not standard base64: " + text);
    }
    if (!Base64.getEncoder().encodeToString(bytes).equals(text)) throw new Malformed(what + " is not canonical padded base64: " + text);
    return bytes;
  }
}
