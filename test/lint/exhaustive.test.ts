import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The unions the compiler holds (ARCHITECTURE.md, "How to add…"): a verdict added to classify.ts, or a task kind
 * added to TASK_KINDS, fails to compile in every consumer until it is handled there. Shown by compiling those
 * consumers with the two files changed in memory, as a person would change them, and reading where tsc complains
 * and about what. (One compilation for both: type-checking the consumers' imports takes most of the time.)
 */
const root = path.resolve(import.meta.dirname, '../..');

function complaints(edits: Record<string, (text: string) => string>, roots: string[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const edited = new Map<string, string>();
  for (const [file, edit] of Object.entries(edits)) {
    const original = readFileSync(path.join(root, file), 'utf8');
    const text = edit(original);
    expect(text, `the edit of ${file} applies`).not.toBe(original);
    edited.set(path.join(root, file), text);
  }
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) => {
    const text = edited.get(path.resolve(file));
    return text === undefined ? getSourceFile(file, language, onError) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram(
    roots.map((r) => path.join(root, r)),
    { ...config.options, noEmit: true },
    host,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    const about = /shadow_banned/.test(message) ? 'the new verdict' : /similar_creators/.test(message) ? 'the new task kind' : message;
    return `${d.file ? path.relative(root, d.file.fileName) : '(global)'}: ${about}`;
  });
}

describe('exhaustive unions', () => {
  it('a new Instagram verdict or task kind fails to compile until each consumer handles it', () => {
    const found = complaints(
      {
        'src/instagram/classify.ts': (text) =>
          text.replace("  | { kind: 'unknown' };", "  | { kind: 'unknown' }\n  | { kind: 'shadow_banned' };"),
        'src/queue/task.ts': (text) =>
          text.replace(
            'export const TASK_KINDS = {\n',
            'export const TASK_KINDS = {\n  similar_creators: { needsAccount: true, priorities: { manual: 4 } },\n',
          ),
      },
      ['src/accounts/verdicts.ts', 'src/accounts/session.ts', 'src/tasks/registry.ts'],
    );
    expect([...new Set(found)].sort()).toEqual([
      'src/accounts/session.ts: the new verdict',
      'src/accounts/verdicts.ts: the new verdict',
      'src/tasks/registry.ts: the new task kind',
    ]);
  }, 120_000);
});
