import { readFile } from 'node:fs/promises';
import type { ImportResult } from '../api-types.js';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';

/**
 * `ig-scout accounts import <file>` / `ig-scout proxies import <file>` (`-` reads stdin): the file as the import
 * routes take it (one entry a line; the formats are in README). The daemon seals the secrets; the CLI never prints
 * a line back, only line numbers and reasons. Exit 1 when a line was refused.
 */
export async function importFile(
  ctx: CommandContext,
  what: 'accounts' | 'proxies',
  file: string,
  options: { assignProxies?: boolean },
): Promise<number> {
  const text = await readInput(file);
  if (text.trim() === '') throw new CliError(EXIT.usage, `${file} is empty: nothing to import`);
  const body = what === 'accounts' ? { text, assign_proxies: options.assignProxies === true } : { text };
  const result = await ctx.client.post<ImportResult>(`/api/${what}/import`, body);
  if (ctx.output.json) ctx.output.printJson(result);
  else {
    const extra = [
      result.proxies_assigned !== undefined ? `${result.proxies_assigned} proxies assigned` : '',
      result.without_proxy ? `${result.without_proxy} left without a proxy` : '',
    ].filter(Boolean);
    ctx.output.out(
      `${what}: ${result.created} created, ${result.updated} updated, ${result.skipped} unchanged, ${result.errors.length} refused${extra.length ? `; ${extra.join(', ')}` : ''}`,
    );
    for (const error of result.errors) ctx.output.note(`  line ${error.line}: ${error.message}`);
  }
  return result.errors.length > 0 ? EXIT.failed : EXIT.ok;
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(EXIT.usage, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
