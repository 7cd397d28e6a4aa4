#!/usr/bin/env python3
"""Writes the expected values the Java self-tests compare against, computed here with nothing but
Python's hashlib and integer arithmetic, so they do not come from the code under test.

    python3 test/conformance/vectors/generate.py

- merkle-rfc9162.json: RFC 9162 §2.1.1 tree hashes (MTH), §2.1.3.1 inclusion paths (PATH) and
  §2.1.4.1 consistency proofs (PROOF/SUBPROOF), written out from the RFC's definitions. The leaves
  are the eight inputs of the RFC 6962 reference implementation's tests; the roots of sizes 1..8
  are checked against the values those tests publish.
- did-key.json: did:key (W3C did:key method, Ed25519 multicodec 0xed 0x01, base58btc) of the
  RFC 8032 §7.1 public keys.
- ed25519-small-order.json: the eight encodings of points of small order, each checked here to be
  on the curve and to satisfy [8]P = O with the RFC 8032 §5.1.3 decoding.
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def sha256(b):
    return hashlib.sha256(b).digest()


# ---- RFC 9162 §2.1 ----------------------------------------------------------------------------

CT_LEAVES = [bytes.fromhex(x) for x in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]]

# Published in the RFC 6962 reference implementation's merkle tree tests (sizes 1..8).
CT_PUBLISHED_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if len(d) == 0:
        return sha256(b"")
    if len(d) == 1:
        return sha256(b"\x00" + d[0])
    k = split(len(d))
    return sha256(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    if len(d) == 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = split(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def merkle_vectors():
    for n, want in enumerate(CT_PUBLISHED_ROOTS, start=1):
        assert mth(CT_LEAVES[:n]).hex() == want, n
    # Ledger-shaped leaves as well: the leaf input of the ledger is a record's 32-byte hash.
    hashed = [sha256(b"leaf %d" % i) for i in range(13)]
    trees = []
    for name, leaves, sizes in [("rfc6962-test-leaves", CT_LEAVES, range(0, 9)),
                                ("sha256-of-leaf-i", hashed, range(0, 14))]:
        for n in sizes:
            d = leaves[:n]
            trees.append({
                "leaves": name, "size": n, "root": mth(d).hex(),
                "inclusion": [{"index": m, "path": [p.hex() for p in path(m, d)]} for m in range(n)],
                "consistency": [{"from": m, "fromRoot": mth(d[:m]).hex(),
                                 "proof": [p.hex() for p in subproof(m, d, True)]}
                                for m in range(1, n + 1)],
            })
    return {
        "source": "RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF, computed by generate.py with "
                  "hashlib; roots of the rfc6962-test-leaves sizes 1..8 equal those published with the "
                  "RFC 6962 reference implementation",
        "leafSets": {"rfc6962-test-leaves": [x.hex() for x in CT_LEAVES],
                     "sha256-of-leaf-i": [x.hex() for x in hashed]},
        "trees": trees,
    }


# ---- did:key ----------------------------------------------------------------------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(b):
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\x00"))) + out


def did_key_vectors(rfc8032):
    return {
        "source": "did:key of the RFC 8032 §7.1 public keys: 'did:key:z' + base58btc(0xed 0x01 || key), "
                  "computed by generate.py",
        "keys": [{"name": v["name"], "publicKey": v["publicKey"],
                  "did": "did:key:z" + base58(b"\xed\x01" + bytes.fromhex(v["publicKey"]))}
                 for v in rfc8032],
    }


# ---- Ed25519 points of small order (RFC 8032 §5.1.3 decoding, affine arithmetic) --------------

P = 2 ** 255 - 19
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]


def decode_point(hexstr):
    b = int.from_bytes(bytes.fromhex(hexstr), "little")
    y, sign = b & ((1 << 255) - 1), b >> 255
    assert y < P
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        x = x * SQRT_M1 % P
    assert (v * x * x - u) % P == 0
    assert not (x == 0 and sign == 1)
    if x & 1 != sign:
        x = P - x
    return x, y


def add(p1, p2):
    (x1, y1), (x2, y2) = p1, p2
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, P - 2, P) % P,
            (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P)


def order(pt):
    q, n = pt, 1
    while q != (0, 1):
        q, n = add(q, pt), n + 1
        assert n <= 8
    return n


def small_order_vectors():
    points = [{"encoding": e, "order": order(decode_point(e))} for e in SMALL_ORDER]
    return {
        "source": "points of order 1, 2, 4 and 8 on edwards25519; each decoded with RFC 8032 §5.1.3 "
                  "and its order counted by generate.py",
        "points": points,
    }


def main():
    with open(os.path.join(HERE, "ed25519-rfc8032.json")) as f:
        rfc8032 = json.load(f)["vectors"]
    for name, data in [("merkle-rfc9162.json", merkle_vectors()),
                       ("did-key.json", did_key_vectors(rfc8032)),
                       ("ed25519-small-order.json", small_order_vectors())]:
        with open(os.path.join(HERE, name), "w") as f:
            json.dump(data, f, indent=1, ensure_ascii=True)
            f.write("\n")


if __name__ == "__main__":
    main()
