package arbiter.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * LEDGER-SPEC §2: the keys the root registered and revoked in chain {@code keys}, and whether a key
 * may sign for a role at a time. Times are the spec's fixed-width UTC form, so they compare as text.
 */
final class KeyRegistry {
  record Registration(String did, byte[] publicKey, String name, Set<String> roles, String notBefore, String notAfter) {}

  private record Revocation(String did, String time) {}

  enum Standing {
    VALID,
    UNKNOWN,
    NOT_VALID
  }

  record Judgement(Standing standing, String reason) {}

  private final List<Registration> registrations = new ArrayList<>();
  private final List<Revocation> revocations = new ArrayList<>();

  void register(Registration registration) {
    registrations.add(registration);
  }

  void revoke(String did, String time) {
    revocations.add(new Revocation(did, time));
  }

  /** Valid when a registration with the role covers the time and no revocation of the key is at or before it. */
  Judgement judge(String did, String role, String time) {
    List<Registration> ofKey = registrations.stream().filter(r -> r.did().equals(did)).toList();
    if (ofKey.isEmpty()) return new Judgement(Standing.UNKNOWN, "no register entry in chain keys for " + did);
    for (Revocation revocation : revocations) {
      if (revocation.did().equals(did) && revocation.time().compareTo(time) <= 0) {
        return new Judgement(Standing.NOT_VALID, "key revoked at " + revocation.time() + ", at or before " + time);
      }
    }
    List<Registration> withRole = ofKey.stream().filter(r -> r.roles().contains(role)).toList();
    if (withRole.isEmpty()) return new Judgement(Standing.NOT_VALID, "key is not registered with role " + role);
    for (Registration r : withRole) {
      if (r.notBefore().compareTo(time) <= 0 && (r.notAfter() == null || time.compareTo(r.notAfter()) < 0)) {
        return new Judgement(Standing.VALID, "");
      }
    }
    Registration first = withRole.get(0);
    return new Judgement(Standing.NOT_VALID,
        "time " + time + " is outside the registration window [" + first.notBefore() + ", " + first.notAfter() + ")");
  }

  List<Registration> withRole(String role) {
    return registrations.stream().filter(r -> r.roles().contains(role)).toList();
  }

  boolean knows(String did) {
    return registrations.stream().anyMatch(r -> r.did().equals(did));
  }

  boolean everRevoked(String did) {
    return revocations.stream().anyMatch(r -> r.did().equals(did));
  }
}
