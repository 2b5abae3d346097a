import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { errorBody } from './errors.js';

export interface HttpServer {
  port: number;
  /** Stops accepting connections and waits for requests in flight, for at most `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Time a client has to send its request line and headers (HTTP_HEADERS_TIMEOUT_MS); Node's own is 60 s. */
  headersTimeoutMs?: number;
  /** Open connections at most (HTTP_MAX_CONNECTIONS); more are closed at once. */
  maxConnections?: number;
}

export async function startHttpServer(app: Hono<any, any, any>, options: HttpServerOptions): Promise<HttpServer> {
  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const server = await new Promise<Server>((resolve, reject) => {
    const started = serve(
      {
        fetch: app.fetch,
        port: options.port,
        hostname: options.host,
        // Slow-header sockets (a slowloris) are cut once headersTimeout has passed: the server checks its connections
        // this often (Node's default of 30 s let 1,000 such sockets live for 65 s).
        serverOptions: { headersTimeout, connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(headersTimeout / 4))) },
      },
      () => resolve(started as Server),
    );
    (started as Server).once('error', reject);
  });
  if (options.maxConnections) server.maxConnections = options.maxConnections;
  server.on('clientError', answerClientError);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * Requests Node's HTTP parser refuses before any route sees them: a request line or headers over its 16 KB limit
 * (431), a malformed request (400), one too slow to arrive (408). Node would answer with an empty body; we answer in
 * the API's error shape, so a client gets a message saying what is wrong, like every other refusal.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The client is gone, or the response to an earlier request on this socket has begun: nothing can be said any
  // more. (Node's own handler makes the same check; a request still being handled is answered, as Node does.)
  const inFlight = (socket as { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers are larger than 16 KB (a query string that long: split the request)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time']
        : [400, `malformed HTTP request (${error.code ?? 'parse error'})`];
  const body = JSON.stringify(errorBody(status, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
