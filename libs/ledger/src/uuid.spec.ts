import { uuidV5 } from './uuid';
import { didKeyFromPublicKey, publicKeyFromDidKey } from './crypto/did-key';
import { MalformedError } from './errors';

describe('name-based ids', () => {
  it('matches RFC 9562 UUIDv5 for a DNS name', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it("gives the ids already in ledgers and archives for names in Arbiter's namespace", () => {
    expect(uuidV5('domain\ncommerce.orders\n1\n42')).toBe('bac2b203-1586-5ffd-a146-71f889e704af');
    expect(uuidV5('décision ü 😀')).toBe('6a8a4338-6224-5cd9-bf94-4cbe0a3ff3b8');
    expect(uuidV5('')).toBe('776d9f5a-4ec4-5cd5-a03a-605db505c746');
  });
});

describe('did:key', () => {
  it('round-trips an Ed25519 key and always starts did:key:z6Mk', () => {
    const key = new Uint8Array(Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex'));
    const did = didKeyFromPublicKey(key);
    expect(did.startsWith('did:key:z6Mk')).toBe(true);
    expect(Buffer.from(publicKeyFromDidKey(did)).equals(Buffer.from(key))).toBe(true);
  });

  it('refuses keys of other types and broken encodings', () => {
    expect(() => publicKeyFromDidKey('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme')).toThrow(MalformedError);
    expect(() => publicKeyFromDidKey('did:key:z6Mk0OIl')).toThrow(MalformedError);
  });
});
