// JSON-schema helpers: `$ref` resolution and the checks OpenAI's strict
// structured outputs apply to a `response_format` schema. A schema that breaks
// them makes that one request fail with HTTP 400 (an error-file line), which is
// how a schema bug in the daemon would surface against the real service.
import type { JsonSchema, ResponseFormat } from './types.js';
import { isObject } from './validation.js';

/** Follows `#/$defs/x` / `#/definitions/x` references against the root schema. */
export function resolveRef(node: JsonSchema, root: JsonSchema): JsonSchema {
  let current = node;
  for (let hops = 0; current.$ref !== undefined && hops < 32; hops++) {
    const target = lookupPointer(root, current.$ref);
    if (!target) return {};
    current = target;
  }
  return current;
}

function lookupPointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return isObject(node) ? (node as JsonSchema) : undefined;
}

export function typesOf(node: JsonSchema): string[] {
  if (Array.isArray(node.type)) return node.type;
  return typeof node.type === 'string' ? [node.type] : [];
}

/** Returns the message of the 400 the real API gives for this response_format, or null if it is acceptable. */
export function checkResponseFormat(format: unknown): string | null {
  if (format === undefined || format === null) return null;
  if (!isObject(format) || typeof format.type !== 'string') {
    return "Invalid 'response_format': expected an object with a 'type'.";
  }
  const rf = format as ResponseFormat;
  if (rf.type === 'text' || rf.type === 'json_object') return null;
  if (rf.type !== 'json_schema') return `Invalid value for 'response_format.type': '${String(format.type)}'.`;
  const spec = (rf as { json_schema?: unknown }).json_schema;
  if (!isObject(spec)) return "Missing required parameter: 'response_format.json_schema'.";
  if (typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    return "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.";
  }
  if (!isObject(spec.schema)) return "Missing required parameter: 'response_format.json_schema.schema'.";
  if (spec.strict !== true) return null;
  const problem = strictProblem(spec.schema as JsonSchema, spec.schema as JsonSchema, [], true);
  return problem ? `Invalid schema for response_format '${spec.name}': ${problem}` : null;
}

function context(path: string[]): string {
  return `In context=(${path.map((p) => `'${p}'`).join(', ')})`;
}

/** The first rule of strict mode the schema breaks, in OpenAI's wording. */
function strictProblem(node: JsonSchema, root: JsonSchema, path: string[], isRoot: boolean): string | null {
  if (path.length > 64) return null; // recursive schemas: deep enough to have seen every shape
  if (isRoot && !typesOf(node).includes('object')) {
    return `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(node.type)}"'.`;
  }
  const resolved = resolveRef(node, root);
  if (typesOf(resolved).includes('object') || resolved.properties) {
    const problem = objectProblem(resolved, path);
    if (problem) return problem;
    for (const [key, child] of Object.entries(resolved.properties ?? {})) {
      const nested = strictProblem(child, root, [...path, 'properties', key], false);
      if (nested) return nested;
    }
  }
  if (resolved.items) {
    const nested = strictProblem(resolved.items, root, [...path, 'items'], false);
    if (nested) return nested;
  }
  for (const [i, branch] of (resolved.anyOf ?? []).entries()) {
    const nested = strictProblem(branch, root, [...path, 'anyOf', String(i)], false);
    if (nested) return nested;
  }
  for (const [name, def] of Object.entries(isRoot ? { ...root.$defs, ...root.definitions } : {})) {
    const nested = strictProblem(def, root, ['$defs', name], false);
    if (nested) return nested;
  }
  return null;
}

function objectProblem(node: JsonSchema, path: string[]): string | null {
  if (node.additionalProperties !== false) {
    return `${context(path)}, 'additionalProperties' is required to be supplied and to be false.`;
  }
  const required = new Set(node.required ?? []);
  const missingKey = Object.keys(node.properties ?? {}).find((k) => !required.has(k));
  if (missingKey !== undefined) {
    return `${context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missingKey}'.`;
  }
  return null;
}
