/** Small helpers shared by the endpoint handlers. */
import { toJson, type JsonValue } from '../json.js';
import type { IgResponse } from '../types.js';

/** 200 with `"status":"ok"` appended last, as Instagram does. */
export function ok(body: Record<string, JsonValue>, headers?: IgResponse['headers']): IgResponse {
  return { status: 200, body: toJson({ ...body, status: 'ok' }), headers };
}

/** Opaque cursors shaped like Instagram's ("QVFD…" = base64 of "AQC…"). */
export function encodeCursor(kind: string, offset: number): string {
  return Buffer.from(`AQC${kind}:${offset}`).toString('base64');
}

export function decodeCursor(kind: string, cursor: string | null | undefined): number | null {
  if (!cursor) return 0;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const match = new RegExp(`^AQC${kind}:(\\d+)$`).exec(text);
  return match?.[1] ? Number(match[1]) : null;
}

export const str = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);

/** Parses a numeric pk path parameter; null when it is not a plain integer. */
export function pkParam(value: string | undefined): number | null {
  return value && /^\d{1,15}$/.test(value) ? Number(value) : null;
}
