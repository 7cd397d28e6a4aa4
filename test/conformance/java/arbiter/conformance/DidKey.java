package arbiter.conformance;

import java.math.BigInteger;
import java.util.Arrays;

/** LEDGER-SPEC §2: {@code did:key:z} + base58btc(0xed 0x01 ‖ 32-byte Ed25519 public key). */
final class DidKey {
  private DidKey() {}

  private static final String PREFIX = "did:key:z";
  private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final BigInteger BASE = BigInteger.valueOf(58);

  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  /** The 32-byte public key; refuses any other multicodec, length, or a non-canonical base58 form. */
  static byte[] publicKey(String did) throws Invalid {
    if (!did.startsWith(PREFIX)) throw new Invalid("not a base58btc did:key: " + did);
    byte[] decoded = base58Decode(did.substring(PREFIX.length()));
    if (decoded.length != 34 || (decoded[0] & 0xff) != 0xed || decoded[1] != 0x01) {
      throw new Invalid("not an Ed25519 did:key (0xed 0x01 and 32 bytes): " + did);
    }
    byte[] key = Arrays.copyOfRange(decoded, 2, 34);
    if (!encode(key).equals(did)) throw new Invalid("not the canonical did:key form: " + did);
    return key;
  }

  static String encode(byte[] publicKey) {
    byte[] bytes = new byte[34];
    bytes[0] = (byte) 0xed;
    bytes[1] = 0x01;
    System.arraycopy(publicKey, 0, bytes, 2, 32);
    return PREFIX + base58Encode(bytes);
  }

  static String base58Encode(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    BigInteger n = new BigInteger(1, bytes);
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(BASE);
      out.append(ALPHABET.charAt(qr[1].intValue()));
      n = qr[0];
    }
    for (int i = 0; i < bytes.length && bytes[i] == 0; i++) out.append('1');
    return out.reverse().toString();
  }

  static byte[] base58Decode(String text) throws Invalid {
    if (text.isEmpty()) throw new Invalid("empty base58 text");
    BigInteger n = BigInteger.ZERO;
    for (int i = 0; i < text.length(); i++) {
      int digit = ALPHABET.indexOf(text.charAt(i));
      if (digit < 0) throw new Invalid("not a base58btc character: " + text.charAt(i));
      n = n.multiply(BASE).add(BigInteger.valueOf(digit));
    }
    int zeros = 0;
    while (zeros < text.length() && text.charAt(zeros) == '1') zeros++;
    byte[] magnitude = n.signum() == 0 ? new byte[0] : n.toByteArray();
    int skip = magnitude.length > 0 && magnitude[0] == 0 ? 1 : 0;
    byte[] out = new byte[zeros + magnitude.length - skip];
    System.arraycopy(magnitude, skip, out, zeros, magnitude.length - skip);
    return out;
  }
}
