import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear, so a secret that reaches a log call by accident still never reaches
 * the output. Listed once here; components only add meta objects.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  // Graph API tokens (issue 21): the client never logs them; this is the safety net.
  'access_token',
  '*.access_token',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'cookie',
  '*.cookie',
  'cookies',
  '*.cookies',
  'session',
  '*.session',
  'sessionId',
  '*.sessionId',
  'proxyUrl',
  '*.proxyUrl',
  'databaseUrl',
  '*.databaseUrl',
];

export interface LoggerOptions {
  level: string;
  format: 'auto' | 'json' | 'pretty';
  /** Where lines go; tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
  /**
   * Receives every serialized line (JSON, after redaction) before it is written: the live tail's ring
   * (src/observability/log-tail.ts). Must not throw or block.
   */
  tap?: (line: string) => void;
}

/** The one pino root of the process; components take `logger.child({ component })`. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && !options.destination && process.stdout.isTTY);
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.tap ? { hooks: { streamWrite: tapped(options.tap) } } : {}),
  };
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' } },
    });
  }
  return pino(base, (options.destination ?? stdoutDestination()) as pino.DestinationStream);
}

/** pino's streamWrite hook: sees each line as it goes to the destination (or the pretty transport), passes it on. */
function tapped(tap: (line: string) => void) {
  return (line: string) => {
    try {
      tap(line);
    } catch {
      // The tail is a convenience; logging itself must go on.
    }
    return line;
  };
}

/**
 * stdout as a plain stream rather than pino's default SonicBoom: when whoever reads our stdout goes away (a closed
 * pipe), SonicBoom's exit-time flush retries EPIPE forever and the process never exits. With the stream, a broken
 * pipe only means the lines are dropped.
 */
let stdoutGuarded = false;
function stdoutDestination(): NodeJS.WritableStream {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return process.stdout;
}

/** Replaces the password of a connection URL so it can be shown in a log line or an error. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
