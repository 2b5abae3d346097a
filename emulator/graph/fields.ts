/**
 * The Graph API's `fields` syntax: `a,b{c,d},e.limit(5){f},business_discovery.username(x){g}` — a field, optional
 * `.modifier(argument)` chains, optional nested fields in braces.
 */
export interface FieldSpec {
  name: string;
  modifiers: Record<string, string>;
  children: FieldSpec[];
}

export function parseFields(text: string | undefined): FieldSpec[] {
  if (!text) return [];
  const parser = { text, pos: 0 };
  const list = parseList(parser);
  if (parser.pos < text.length) throw new Error(`unexpected "${text[parser.pos]}" at ${parser.pos} in fields`);
  return list;
}

function parseList(p: { text: string; pos: number }): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (;;) {
    const field = parseField(p);
    if (field) out.push(field);
    if (p.text[p.pos] === ',') {
      p.pos += 1;
      continue;
    }
    return out;
  }
}

function parseField(p: { text: string; pos: number }): FieldSpec | null {
  const name = readName(p);
  if (!name) return null;
  const spec: FieldSpec = { name, modifiers: {}, children: [] };
  while (p.text[p.pos] === '.') {
    p.pos += 1;
    const modifier = readName(p);
    if (p.text[p.pos] !== '(') throw new Error(`modifier ${modifier} needs (argument)`);
    const close = p.text.indexOf(')', p.pos);
    if (close < 0) throw new Error('unclosed (');
    spec.modifiers[modifier] = p.text.slice(p.pos + 1, close);
    p.pos = close + 1;
  }
  if (p.text[p.pos] === '{') {
    p.pos += 1;
    spec.children = parseList(p);
    if (p.text[p.pos] !== '}') throw new Error('unclosed {');
    p.pos += 1;
  }
  return spec;
}

function readName(p: { text: string; pos: number }): string {
  const match = /^[A-Za-z0-9_]*/.exec(p.text.slice(p.pos))!;
  p.pos += match[0].length;
  return match[0];
}
