// A small validator for the JSON-schema subset of structured outputs. The
// emulator uses it to accept a prompt-derived value only where the request's
// schema allows it (otherwise it falls back to a generated one).
import { resolveRef, typesOf } from './schema.js';
import type { JsonSchema } from './types.js';
import { isObject } from './validation.js';

export function matchesSchema(value: unknown, node: JsonSchema, root: JsonSchema): boolean {
  const schema = resolveRef(node, root);
  if (schema.const !== undefined && !deepEqual(value, schema.const)) return false;
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) return false;
  if (schema.anyOf && !schema.anyOf.some((b) => matchesSchema(value, b, root))) return false;
  if (schema.oneOf && schema.oneOf.filter((b) => matchesSchema(value, b, root)).length !== 1) return false;
  const types = typesOf(schema);
  if (types.length > 0 && !types.some((t) => hasType(value, t))) return false;
  if (typeof value === 'number') return numberOk(value, schema);
  if (typeof value === 'string') return stringOk(value, schema);
  if (Array.isArray(value)) return arrayOk(value, schema, root);
  if (isObject(value)) return objectOk(value, schema, root);
  return true;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return false;
  }
}

function numberOk(value: number, s: JsonSchema): boolean {
  if (s.minimum !== undefined && value < s.minimum) return false;
  if (s.maximum !== undefined && value > s.maximum) return false;
  if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return false;
  if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return false;
  return true;
}

function stringOk(value: string, s: JsonSchema): boolean {
  const length = [...value].length;
  if (s.minLength !== undefined && length < s.minLength) return false;
  if (s.maxLength !== undefined && length > s.maxLength) return false;
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) return false;
  return true;
}

function arrayOk(value: unknown[], s: JsonSchema, root: JsonSchema): boolean {
  if (s.minItems !== undefined && value.length < s.minItems) return false;
  if (s.maxItems !== undefined && value.length > s.maxItems) return false;
  if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return false;
  return s.items === undefined || value.every((item) => matchesSchema(item, s.items as JsonSchema, root));
}

function objectOk(value: Record<string, unknown>, s: JsonSchema, root: JsonSchema): boolean {
  const properties = s.properties ?? {};
  if ((s.required ?? []).some((key) => !(key in value))) return false;
  for (const [key, child] of Object.entries(value)) {
    const schema = properties[key];
    if (schema) {
      if (!matchesSchema(child, schema, root)) return false;
    } else if (s.additionalProperties === false) {
      return false;
    } else if (isObject(s.additionalProperties) && !matchesSchema(child, s.additionalProperties, root)) {
      return false;
    }
  }
  return true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
