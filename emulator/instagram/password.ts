/**
 * Password encryption as in Instagram's `#PWD_INSTAGRAM:4:<time>:<base64>` scheme (README §6):
 * 0x01, keyId, iv[12], len(rsa)[2 LE], rsa(aesKey), gcmTag[16], aesGcm(password, aad=time).
 *
 * Node 20 refuses RSA PKCS#1 v1.5 private decryption (CVE-2023-46809), which is exactly what the
 * client uses, so the RSA step is done here with BigInt arithmetic on the JWK key parts. It is a
 * test double: no constant-time concerns apply.
 */
import { createDecipheriv, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createRng } from '../world/prng.js';

export interface PasswordKey {
  keyId: number;
  /** Header value: base64 of the PEM public key. */
  publicKeyHeader: string;
  privateKey: KeyObject;
}

/**
 * The key is derived from the seed, so an emulator restarted with the same seed still decrypts
 * passwords encrypted by a restored client (dilame persists the public key in its serialized state
 * and skips the pre-login sync when it has one).
 */
export function createPasswordKey(seed: number): PasswordKey {
  const rng = createRng(`password-key:${seed}`);
  const privateKey = deterministicRsaKey(() => rng.next());
  const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: 100 + (Math.abs(seed) % 150), publicKeyHeader: Buffer.from(pem).toString('base64'), privateKey };
}

/** Odd primes below 5000: trial division rejects most candidates before the costly Miller–Rabin. */
const SMALL_PRIMES: bigint[] = (() => {
  const limit = 5000;
  const composite = new Uint8Array(limit);
  const primes: bigint[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    primes.push(BigInt(i));
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return primes;
})();

function randomBits(bits: number, random: () => number): bigint {
  let value = 0n;
  for (let i = 0; i < bits; i += 16) value = (value << 16n) | BigInt(Math.floor(random() * 65536));
  return value & ((1n << BigInt(bits)) - 1n);
}

function isProbablePrime(n: bigint, random: () => number): boolean {
  if (SMALL_PRIMES.some((p) => n % p === 0n)) return false;
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r += 1;
  }
  for (let round = 0; round < 12; round++) {
    const a = 2n + (randomBits(64, random) % (n - 4n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let i = 1; i < r && composite; i++) {
      x = (x * x) % n;
      if (x === n - 1n) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

function randomPrime(bits: number, random: () => number): bigint {
  for (;;) {
    // Top two bits set so p*q has exactly 2*bits bits; odd.
    const candidate = randomBits(bits, random) | (3n << BigInt(bits - 2)) | 1n;
    if (isProbablePrime(candidate, random)) return candidate;
  }
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

const toB64url = (n: bigint): string => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

function deterministicRsaKey(random: () => number): KeyObject {
  const e = 65537n;
  for (;;) {
    const p = randomPrime(1024, random);
    const q = randomPrime(1024, random);
    const phi = (p - 1n) * (q - 1n);
    if (p === q || phi % e === 0n) continue;
    const d = modInverse(e, phi);
    const jwk = {
      kty: 'RSA',
      n: toB64url(p * q),
      e: toB64url(e),
      d: toB64url(d),
      p: toB64url(p),
      q: toB64url(q),
      dp: toB64url(d % (p - 1n)),
      dq: toB64url(d % (q - 1n)),
      qi: toB64url(modInverse(q, p)),
    };
    return createPrivateKey({ key: jwk, format: 'jwk' });
  }
}

const b64urlToBigInt = (value: string): bigint => BigInt(`0x${Buffer.from(value, 'base64url').toString('hex') || '0'}`);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function rsaPkcs1Decrypt(key: KeyObject, cipher: Buffer): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.n || !jwk.d) throw new Error('not an RSA private key');
  const n = b64urlToBigInt(jwk.n);
  const m = modPow(BigInt(`0x${cipher.toString('hex')}`), b64urlToBigInt(jwk.d), n);
  const size = Buffer.from(jwk.n, 'base64url').length;
  const block = Buffer.from(m.toString(16).padStart(size * 2, '0'), 'hex');
  // EM = 0x00 0x02 PS(non-zero) 0x00 M
  if (block[0] !== 0 || block[1] !== 2) throw new Error('bad PKCS#1 padding');
  const separator = block.indexOf(0, 2);
  if (separator < 10) throw new Error('bad PKCS#1 padding');
  return block.subarray(separator + 1);
}

/** Returns the cleartext password, or throws if `encPassword` is malformed or was encrypted for another key. */
export function decryptPassword(encPassword: string, key: PasswordKey): string {
  const match = /^#PWD_INSTAGRAM:(\d):(\d+):(.+)$/.exec(encPassword);
  if (!match) throw new Error('enc_password is not #PWD_INSTAGRAM:<v>:<time>:<data>');
  const [, version, time, data] = match as unknown as [string, string, string, string];
  if (version === '0') return data; // plain-text variant some clients send
  const raw = Buffer.from(data, 'base64');
  if (raw[0] !== 1 || raw[1] !== (key.keyId & 0xff)) throw new Error('unknown password key id');
  const iv = raw.subarray(2, 14);
  const rsaLength = raw.readUInt16LE(14);
  const rsaBlock = raw.subarray(16, 16 + rsaLength);
  const tag = raw.subarray(16 + rsaLength, 32 + rsaLength);
  const aesBlock = raw.subarray(32 + rsaLength);
  const aesKey = rsaPkcs1Decrypt(key.privateKey, rsaBlock);
  const decipher = createDecipheriv('aes-256-gcm', aesKey, iv);
  decipher.setAAD(Buffer.from(time));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(aesBlock), decipher.final()]).toString('utf8');
}
