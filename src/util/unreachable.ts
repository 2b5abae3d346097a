/**
 * The `default` of a switch over a union that must handle every member: a member added to the union (a verdict, a
 * task kind) makes the call site fail to compile until it has its own case. Reached at run time only by a value the
 * types ruled out.
 */
export function unreachable(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
