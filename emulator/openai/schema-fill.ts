// Generates a value valid against a structured-outputs JSON schema. A `hint`
// callback supplies prompt-derived values for the fields it understands; every
// other field gets a deterministic pick (hash of seed + field path), so the
// same request always yields the same answer.
import { hashIndex, hashUnit, seededShuffle } from './ids.js';
import { matchesSchema } from './schema-check.js';
import { resolveRef, typesOf } from './schema.js';
import type { JsonSchema } from './types.js';

export const NO_HINT: unique symbol = Symbol('no-hint');
/** Returns a value for the field at `path`, or NO_HINT to let the generator choose. */
export type Hint = (path: readonly string[], schema: JsonSchema) => unknown;

export function generateFromSchema(root: JsonSchema, hint: Hint, seed: string): unknown {
  return new SchemaFiller(root, hint, seed).valueFor(root, []);
}

class SchemaFiller {
  constructor(
    private readonly root: JsonSchema,
    private readonly hint: Hint,
    private readonly seed: string,
  ) {}

  valueFor(node: JsonSchema, path: string[]): unknown {
    const schema = resolveRef(node, this.root);
    const hinted = this.hint(path, schema);
    if (hinted !== NO_HINT) {
      const fitted = Array.isArray(hinted) ? this.fitArray(schema, path, hinted) : hinted;
      if (matchesSchema(fitted, schema, this.root)) return fitted;
    }
    return this.generic(schema, path);
  }

  private unit(path: string[], salt: string): number {
    return hashUnit(this.seed, path.join('.'), salt);
  }

  private generic(schema: JsonSchema, path: string[]): unknown {
    if (schema.const !== undefined) return schema.const;
    if (schema.enum && schema.enum.length > 0) return schema.enum[hashIndex(schema.enum.length, this.seed, path.join('.'))];
    const branches = schema.anyOf ?? schema.oneOf;
    if (branches && branches.length > 0) return this.valueFor(this.pickBranch(branches, path), path);
    const types = typesOf(schema);
    const nonNull = types.filter((t) => t !== 'null');
    if (types.includes('null') && (nonNull.length === 0 || this.unit(path, 'null') < nullChance(nonNull))) return null;
    const type = nonNull[hashIndex(nonNull.length, this.seed, path.join('.'), 'type')] ?? inferType(schema);
    return this.ofType(type, schema, path);
  }

  /** Nullable unions (`anyOf: [X, {type: null}]`) pick null now and then, like a model unsure of a fact. */
  private pickBranch(branches: JsonSchema[], path: string[]): JsonSchema {
    const resolved = branches.map((b) => resolveRef(b, this.root));
    const nonNull = resolved.filter((b) => !(typesOf(b).length === 1 && typesOf(b)[0] === 'null'));
    const nullBranch = resolved.find((b) => !nonNull.includes(b));
    const nonNullTypes = nonNull.flatMap((b) => typesOf(b));
    if (nullBranch && (nonNull.length === 0 || this.unit(path, 'null') < nullChance(nonNullTypes))) return nullBranch;
    return nonNull[hashIndex(nonNull.length, this.seed, path.join('.'), 'branch')] ?? {};
  }

  private ofType(type: string, schema: JsonSchema, path: string[]): unknown {
    switch (type) {
      case 'object':
        return this.object(schema, path);
      case 'array':
        return this.fitArray(schema, path, null);
      case 'string':
        return this.string(schema, path);
      case 'integer':
      case 'number':
        return this.number(schema, path, type === 'integer');
      case 'boolean':
        return this.unit(path, 'bool') < 0.5;
      default:
        return null;
    }
  }

  private object(schema: JsonSchema, path: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.properties ?? {})) out[key] = this.valueFor(child, [...path, key]);
    return out;
  }

  /**
   * A hinted list (`hinted`, possibly empty) trimmed to maxItems; without a hint,
   * or when the hint is too short for minItems, a small deterministic list.
   */
  private fitArray(schema: JsonSchema, path: string[], hinted: unknown[] | null): unknown[] {
    const items = schema.items ? resolveRef(schema.items, this.root) : {};
    const max = schema.maxItems ?? Number.POSITIVE_INFINITY;
    const min = schema.minItems ?? 0;
    const out = dedupe((hinted ?? []).filter((v) => matchesSchema(v, items, this.root))).slice(0, max);
    if (hinted !== null && out.length >= min) return out;
    // Free-text lists nobody hinted (brand names, pet types…) stay as short as allowed: a model
    // that saw no evidence lists nothing, and made-up strings would only mislead a test.
    const freeText = !items.enum && items.const === undefined && typesOf(items).includes('string');
    const wanted = freeText ? 0 : hashIndex(3, this.seed, path.join('.'), 'len');
    const target = Math.min(max, Math.max(min, out.length, wanted));
    const pool = items.enum ? seededShuffle(items.enum, this.seed, path.join('.')) : [];
    for (let i = 0; out.length < target && i < target * 4 + pool.length; i++) {
      const candidate = i < pool.length ? pool[i] : this.valueFor(items, [...path, String(i)]);
      if (!out.some((v) => JSON.stringify(v) === JSON.stringify(candidate))) out.push(candidate);
    }
    return out;
  }

  private string(schema: JsonSchema, path: string[]): string {
    const key = path[path.length - 1] ?? 'value';
    const tag = Math.floor(this.unit(path, 'str') * 0xffffff)
      .toString(16)
      .padStart(6, '0');
    let text =
      schema.format === 'date-time'
        ? '2025-01-01T00:00:00Z'
        : schema.format === 'date'
          ? '2025-01-01'
          : schema.format === 'email'
            ? `${key}@example.com`
            : schema.format === 'uri'
              ? `https://example.com/${key}`
              : `${key.replace(/_/g, ' ')} ${tag}`;
    if (schema.maxLength !== undefined) text = [...text].slice(0, schema.maxLength).join('');
    while (schema.minLength !== undefined && [...text].length < schema.minLength) text += 'x';
    return text;
  }

  private number(schema: JsonSchema, path: string[], integer: boolean): number {
    const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 0.01) : 0);
    const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 0.01) : lo + 100);
    const u = this.unit(path, 'num');
    if (integer) return Math.ceil(lo) + Math.floor(u * (Math.floor(hi) - Math.ceil(lo) + 1));
    return Math.min(hi, Math.max(lo, Math.round((lo + u * (hi - lo)) * 100) / 100));
  }
}

function nullChance(nonNullTypes: string[]): number {
  return nonNullTypes.length === 1 && nonNullTypes[0] === 'boolean' ? 1 / 3 : 0.15;
}

function inferType(schema: JsonSchema): string {
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return 'null';
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
