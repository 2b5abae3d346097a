import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.js';

describe('SecretBox (AES-256-GCM at rest)', () => {
  const box = SecretBox.fromString(SecretBox.generateKey());

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('hunter2-пароль');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(box.decrypt(sealed)).toBe('hunter2-пароль');
  });

  it('uses a fresh IV per value', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('refuses a wrong key and a tampered value', () => {
    const sealed = box.encrypt('secret');
    expect(() => SecretBox.fromString(SecretBox.generateKey()).decrypt(sealed)).toThrow(/wrong ENCRYPTION_KEY/);
    const [v, iv, tag, ct] = sealed.split(':');
    const flipped = Buffer.from(ct!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.decrypt([v, iv, tag, flipped.toString('base64')].join(':'))).toThrow(/altered/);
  });

  it('accepts hex or base64 keys of 32 bytes only', () => {
    expect(() => SecretBox.fromString(Buffer.alloc(32, 7).toString('base64'))).not.toThrow();
    expect(() => SecretBox.fromString('abcd')).toThrow(/32 bytes/);
  });
});
