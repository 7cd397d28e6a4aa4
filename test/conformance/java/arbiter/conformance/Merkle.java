package arbiter.conformance;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** RFC 9162 §2.1: Merkle tree hash, inclusion and consistency proof verification. */
final class Merkle {
  private Merkle() {}

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) digest.update(part);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] leafHash(byte[] leafInput) {
    return sha256(new byte[] {0x00}, leafInput);
  }

  static byte[] nodeHash(byte[] left, byte[] right) {
    return sha256(new byte[] {0x01}, left, right);
  }

  /** §2.1.1 MTH over leaf hashes (already {@link #leafHash}ed). */
  static byte[] root(List<byte[]> leafHashes) {
    if (leafHashes.isEmpty()) return sha256();
    return subtreeRoot(leafHashes, 0, leafHashes.size());
  }

  private static byte[] subtreeRoot(List<byte[]> leafHashes, int from, int to) {
    int n = to - from;
    if (n == 1) return leafHashes.get(from);
    int k = Integer.highestOneBit(n - 1);
    return nodeHash(subtreeRoot(leafHashes, from, from + k), subtreeRoot(leafHashes, from + k, to));
  }

  /** §2.1.3.2. */
  static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> path, byte[] root) {
    if (index < 0 || index >= size) return false;
    long fn = index, sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : path) {
      if (sn == 0) return false;
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && Arrays.equals(r, root);
  }

  /** §2.1.4.2, with the trivial cases the RFC leaves to the caller: equal sizes and an empty first tree. */
  static boolean verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof) {
    if (size1 < 0 || size1 > size2) return false;
    if (size1 == size2) return proof.isEmpty() && Arrays.equals(root1, root2);
    if (size1 == 0) return proof.isEmpty();
    if (proof.isEmpty()) return false;
    List<byte[]> path = new ArrayList<>(proof);
    if (Long.bitCount(size1) == 1) path.add(0, root1);
    long fn = size1 - 1, sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0), sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) return false;
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return Arrays.equals(fr, root1) && Arrays.equals(sr, root2) && sn == 0;
  }
}
