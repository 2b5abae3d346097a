/**
 * JSON writer for response bodies. Instagram sends 19-digit media pks as bare JSON numbers, which
 * JSON.stringify cannot produce from a JS number without losing digits. Values of type `bigint`
 * are written as bare integers here; everything else follows JSON.stringify rules. Key order is
 * insertion order, so the same object always yields the same bytes.
 */
export type JsonValue = string | number | boolean | null | bigint | undefined | JsonValue[] | { [key: string]: JsonValue };

export function toJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'undefined':
      return 'null';
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map((item) => toJson(item)).join(',')}]`;
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue; // like JSON.stringify: absent, not null
    parts.push(`${JSON.stringify(key)}:${toJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

/** A world id (decimal string) as a bare JSON number. */
export const big = (decimal: string): bigint => BigInt(decimal);
