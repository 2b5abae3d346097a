import { CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

/**
 * Entry point of `ig-scout` (bin/ig-scout.js runs it from src/ under tsx in a checkout, or from dist/ when built):
 * parse, run one command, exit with its code. Errors are one line on stderr, never a stack trace, except for a
 * bug (exit 4 with the stack, which belongs in an issue).
 */
const stop = new AbortController();
let pending: Promise<number> | undefined;
let following = false;

process.on('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h'); // a progress bar hides the cursor
  if (following) {
    following = false;
    stop.abort(); // logs -f: Ctrl-C is how it ends; the loop returns 0
    return;
  }
  process.stderr.write('\nstopped watching; anything queued goes on in the daemon (ig-scout tasks)\n');
  process.exit(EXIT.interrupted);
});

const program = buildProgram((code) => {
  pending = code;
}, stop.signal);
program.hook('preAction', (_program, action) => {
  following = action.name() === 'logs' && action.opts<{ follow?: boolean }>().follow === true;
});

let exitCode: number;
try {
  await program.parseAsync(process.argv);
  exitCode = pending ? await pending : EXIT.ok;
} catch (error) {
  exitCode = report(error);
}
process.exitCode = exitCode;

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has printed its message (or the help / version) already.
    if (['commander.helpDisplayed', 'commander.version'].includes(error.code)) return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`ig-scout: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `ig-scout: unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.daemon;
}
