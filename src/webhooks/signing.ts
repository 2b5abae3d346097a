import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, through its reference `standardwebhooks` package):
 * the signature is HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` with the base64-decoded secret,
 * sent as `v1,<base64>`; several live secrets (a rotation's grace) give several signatures, space-separated, and a
 * receiver accepts the message when any one matches.
 */

/** A new secret in the spec's format: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers of one attempt. The timestamp is the attempt's own (receivers refuse ones older than 5 min). */
export function signedHeaders(secrets: readonly string[], messageId: string, at: Date, body: string): SignedHeaders {
  if (secrets.length === 0) throw new Error('the endpoint has no signing secret');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  };
}
