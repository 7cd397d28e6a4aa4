package arbiter.conformance;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/**
 * Strict Ed25519 verification as LEDGER-SPEC §2 requires: the signature equation is checked by the
 * JDK's "Ed25519" {@link Signature}; the rules the JDK is not relied on for (S &lt; L, canonical
 * encodings of A and R, A not of small order) are checked here first, on the curve arithmetic of
 * RFC 8032 §5.1.
 */
final class Ed25519 {
  private Ed25519() {}

  static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
  private static final BigInteger BASE_Y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
  private static final Point IDENTITY = new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);

  enum Verdict {
    VALID("valid"),
    KEY_NOT_CANONICAL("public key A is not the canonical encoding of a curve point"),
    KEY_SMALL_ORDER("public key A is of small order"),
    R_NOT_CANONICAL("R is not the canonical encoding of a curve point"),
    S_NOT_REDUCED("S is not below the group order L"),
    WRONG_LENGTH("signature is not 64 bytes or key is not 32 bytes"),
    EQUATION_FAILS("signature does not verify");

    final String message;

    Verdict(String message) {
      this.message = message;
    }
  }

  /** Extended homogeneous coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
  record Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {}

  static Verdict verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey.length != 32 || signature.length != 64) return Verdict.WRONG_LENGTH;
    Verdict key = checkPublicKey(publicKey);
    if (key != Verdict.VALID) return key;
    if (decode(Arrays.copyOfRange(signature, 0, 32)) == null) return Verdict.R_NOT_CANONICAL;
    if (littleEndian(Arrays.copyOfRange(signature, 32, 64)).compareTo(L) >= 0) return Verdict.S_NOT_REDUCED;
    return jdkVerifies(publicKey, message, signature) ? Verdict.VALID : Verdict.EQUATION_FAILS;
  }

  /** A key is usable when it decodes canonically and [8]A is not the identity. */
  static Verdict checkPublicKey(byte[] publicKey) {
    if (publicKey.length != 32) return Verdict.WRONG_LENGTH;
    Point a = decode(publicKey);
    if (a == null) return Verdict.KEY_NOT_CANONICAL;
    if (isSmallOrder(a)) return Verdict.KEY_SMALL_ORDER;
    return Verdict.VALID;
  }

  /** The JDK's verifier alone, without this class's strict checks (for the self-tests to compare). */
  static boolean jdkVerifies(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(jdkPublicKey(publicKey));
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static PublicKey jdkPublicKey(byte[] encoded) throws GeneralSecurityException {
    byte[] le = encoded.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7f;
    EdECPoint point = new EdECPoint(xOdd, littleEndian(le));
    return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
  }

  /** RFC 8032 §5.1.3; null when the bytes are not the canonical encoding of a point. */
  static Point decode(byte[] encoded) {
    if (encoded.length != 32) return null;
    byte[] le = encoded.clone();
    int sign = (le[31] & 0xff) >>> 7;
    le[31] &= 0x7f;
    BigInteger y = littleEndian(le);
    if (y.compareTo(P) >= 0) return null;
    BigInteger x = recoverX(y, sign);
    if (x == null) return null;
    return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
  }

  private static BigInteger recoverX(BigInteger y, int sign) {
    BigInteger y2 = y.multiply(y).mod(P);
    BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
    BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
    BigInteger v3 = v.pow(3).mod(P);
    BigInteger v7 = v3.multiply(v3).multiply(v).mod(P);
    BigInteger x = u.multiply(v3).multiply(u.multiply(v7).modPow(P.subtract(BigInteger.valueOf(5)).shiftRight(3), P)).mod(P);
    BigInteger vx2 = v.multiply(x).multiply(x).mod(P);
    if (!vx2.equals(u)) {
      if (!vx2.equals(u.negate().mod(P))) return null;
      x = x.multiply(SQRT_M1).mod(P);
    }
    if (x.signum() == 0 && sign == 1) return null;
    if (x.testBit(0) != (sign == 1)) x = P.subtract(x);
    return x;
  }

  static byte[] encode(Point p) {
    BigInteger zInv = p.z.modInverse(P);
    BigInteger x = p.x.multiply(zInv).mod(P);
    BigInteger y = p.y.multiply(zInv).mod(P);
    byte[] out = toLittleEndian(y);
    if (x.testBit(0)) out[31] |= (byte) 0x80;
    return out;
  }

  static boolean isSmallOrder(Point a) {
    Point q = a;
    for (int i = 0; i < 3; i++) q = add(q, q);
    return isIdentity(q);
  }

  private static boolean isIdentity(Point p) {
    return p.x.mod(P).signum() == 0 && p.y.subtract(p.z).mod(P).signum() == 0;
  }

  /** RFC 8032 §5.1.4 addition in extended coordinates (complete for a = −1). */
  static Point add(Point p, Point q) {
    BigInteger a = p.y.subtract(p.x).multiply(q.y.subtract(q.x)).mod(P);
    BigInteger b = p.y.add(p.x).multiply(q.y.add(q.x)).mod(P);
    BigInteger c = BigInteger.TWO.multiply(p.t).multiply(q.t).multiply(D).mod(P);
    BigInteger d = BigInteger.TWO.multiply(p.z).multiply(q.z).mod(P);
    BigInteger e = b.subtract(a), f = d.subtract(c), g = d.add(c), h = b.add(a);
    return new Point(e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P));
  }

  static Point multiply(BigInteger scalar, Point p) {
    Point result = IDENTITY;
    Point addend = p;
    for (int i = 0; i < scalar.bitLength(); i++) {
      if (scalar.testBit(i)) result = add(result, addend);
      addend = add(addend, addend);
    }
    return result;
  }

  static Point basePoint() {
    return new Point(recoverX(BASE_Y, 0), BASE_Y, BigInteger.ONE, recoverX(BASE_Y, 0).multiply(BASE_Y).mod(P));
  }

  /** RFC 8032 §5.1.5: the public key of a 32-byte secret (seed). Used by the self-tests. */
  static byte[] publicKeyFromSeed(byte[] seed) throws GeneralSecurityException {
    byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
    byte[] s = Arrays.copyOfRange(h, 0, 32);
    s[0] &= (byte) 248;
    s[31] &= 127;
    s[31] |= 64;
    return encode(multiply(littleEndian(s), basePoint()));
  }

  static BigInteger littleEndian(byte[] le) {
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
    return new BigInteger(1, be);
  }

  static byte[] toLittleEndian(BigInteger value) {
    byte[] out = new byte[32];
    byte[] be = value.toByteArray();
    for (int i = 0; i < be.length && i < 32; i++) out[i] = be[be.length - 1 - i];
    return out;
  }
}
