import type { Command } from 'commander';
import { ApiClient } from './client.js';
import { createOutput, type Output } from './output.js';
import { loadSettings } from './settings.js';

/** What every command gets: the API client and the output, from the global options (--json, --url). */
export interface CommandContext {
  client: ApiClient;
  output: Output;
}

export async function contextOf(command: Command): Promise<CommandContext> {
  const globals = command.optsWithGlobals<{ json?: boolean; url?: string }>();
  const settings = await loadSettings(process.env, globals.url);
  return { client: new ApiClient(settings), output: createOutput({ json: globals.json === true }) };
}
