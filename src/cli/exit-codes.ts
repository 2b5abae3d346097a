/**
 * The exit codes of `ig-scout`, for scripts (README, "Command line"). One meaning each, so `$?` says what to do
 * next: 1 look at the work, 2 fix the command, 3 fix the connection or the key, 4 look at the daemon.
 */
export const EXIT = {
  ok: 0,
  /** The work failed: a task waited for ended failed or cancelled, an import refused lines, health is not ok, a retry/cancel was refused. */
  failed: 1,
  /** The command was wrong: unknown command or option, a bad value, or the daemon refused the input (400, 404). */
  usage: 2,
  /** The daemon could not be reached, or refused the API key (401). */
  unreachable: 3,
  /** The daemon answered with an error of its own (5xx, not ready) or something the CLI cannot read. */
  daemon: 4,
  /** --timeout passed before the work finished (it goes on in the daemon). */
  timeout: 5,
  /** Ctrl-C. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and an exit code, without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
