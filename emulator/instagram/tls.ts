/**
 * The MITM certificate for i.instagram.com, made fresh at every start (no key is committed).
 * The RSA key comes from node:crypto (native, fast); `selfsigned` only signs the certificate.
 * The client accepts it because dilame sets strictSSL:false.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';

export interface TlsMaterial {
  key: string;
  cert: string;
}

interface SelfsignedModule {
  generate(
    attrs: Array<{ name: string; value: string }>,
    options: { days: number; algorithm: string; keyPair: { privateKey: string; publicKey: string }; extensions: unknown[] },
  ): { private: string; cert: string };
}

export function createTlsMaterial(): TlsMaterial {
  // selfsigned's typings declare no exports; load it through require with a local type.
  const selfsigned = createRequire(import.meta.url)('selfsigned') as SelfsignedModule;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const { cert } = selfsigned.generate([{ name: 'commonName', value: 'i.instagram.com' }], {
    days: 30,
    algorithm: 'sha256',
    keyPair: { privateKey, publicKey },
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'i.instagram.com' },
          { type: 2, value: '*.instagram.com' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: privateKey, cert };
}
