/** Turns a node request into the emulator's IgRequest (cookies, urlencoded form, signed_body). */
import type { IncomingMessage } from 'node:http';
import type { IgRequest } from './types.js';

const MAX_BODY_BYTES = 2_000_000;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return cookies;
}

/** `signed_body=<hmac>.<json>` → the JSON object (dilame signs most POST forms). */
export function parseSignedBody(form: Record<string, string>): Record<string, unknown> {
  const signed = form['signed_body'];
  if (!signed) return {};
  const json = signed.slice(signed.indexOf('.') + 1);
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function toIgRequest(req: IncomingMessage, proxyId: number | null): Promise<IgRequest> {
  const url = new URL(req.url ?? '/', 'https://i.instagram.com');
  const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
  const form = Object.fromEntries(new URLSearchParams(body));
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    form,
    signed: parseSignedBody(form),
    cookies: parseCookies(req.headers.cookie),
    headers: req.headers,
    proxyId,
  };
}
