import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
  /** How long a closing connection keeps reading what the client still sends (HTTP_LINGER_MS); see lingerOnClose. */
  lingerMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the server takes any app, whatever its bindings, variables and routes
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
  const lingerMs = options.lingerMs ?? 10_000;
  server.on('connection', (socket: Socket) => lingerOnClose(socket, lingerMs));
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => {
      if (!req.complete) discardUnreadBody(req);
    });
  });
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

/**
 * A lingering close (RFC 9112 §9.6, nginx's lingering_close). A body refused early (413) is still on its way when
 * the server closes: Node closes a `Connection: close` response's socket with destroySoon(), and @hono/node-server
 * does the same 500 ms after a response that left the body unread. Closing a socket with unread data sends a reset,
 * and a client that writes its whole request before it reads gets a broken pipe instead of the 413 (issue 17). So a
 * closing socket half-closes instead: the response goes out with a FIN, what the client still sends is read and
 * discarded (by the HTTP parser, which drops a body nobody reads), and the socket is destroyed once the client
 * closes its side, or after `lingerMs` at most. (Measured: a client writing 10 MB and then reading got EPIPE after
 * 4 MB at 500 ms; with this it sends everything and reads the 413.)
 */
function lingerOnClose(socket: Socket, lingerMs: number): void {
  let lingering = false;
  socket.destroySoon = function lingeringClose() {
    if (lingering || socket.destroyed) return;
    lingering = true;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    socket.resume();
  };
}

/**
 * The rest of a body the app answered without reading, read and dropped. The web stream @hono/node-server wraps
 * around the request (Readable.toWeb) pauses it whenever its own queue is full, and nobody reads that queue once
 * the response is out: the parser then stops reading the socket, the client's sends stall, and the lingering close
 * ends in a reset after all. Its listener goes; ours keeps the bytes flowing to nowhere.
 */
function discardUnreadBody(req: IncomingMessage): void {
  req.removeAllListeners('data');
  req.on('data', () => {});
  req.resume();
}
