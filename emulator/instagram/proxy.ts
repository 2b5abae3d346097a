/**
 * The transport: N HTTP proxies. Each answers CONNECT (to any host), terminates TLS with the
 * self-signed certificate and hands the decrypted stream to one shared API server, remembering
 * which proxy the socket came through. Proxies can be taken down (port closed → ECONNREFUSED)
 * and brought back on the same port; transport faults (refuse, connect_error) act here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { TlsMaterial } from './tls.js';
import type { TransportAction } from './types.js';
import type { EmulatorState } from './state.js';
import { toIgRequest } from './parse.js';
import { handleRequest } from './pipeline.js';

export interface ProxyInfo {
  id: number;
  port: number;
  url: string;
  up: boolean;
}

interface ProxyEntry extends ProxyInfo {
  server: Server;
  sockets: Set<Socket>;
}

export class ProxyFleet {
  private readonly proxies: ProxyEntry[] = [];
  /** Decrypted sockets → proxy id, read by the API server. */
  private readonly socketProxy = new WeakMap<Socket, number>();
  private readonly api: Server;

  constructor(
    private readonly state: EmulatorState,
    private readonly tls: TlsMaterial,
    private readonly host: string,
  ) {
    this.api = createServer((req, res) => {
      void this.serveApi(req, res);
    });
  }

  async start(count: number, ports: readonly number[] = []): Promise<void> {
    for (let id = 0; id < count; id++) {
      const entry: ProxyEntry = { id, port: ports[id] ?? 0, url: '', up: false, server: this.createProxyServer(id), sockets: new Set() };
      this.proxies.push(entry);
      await this.listen(entry);
    }
  }

  list(): ProxyInfo[] {
    return this.proxies.map(({ id, port, url, up }) => ({ id, port, url, up }));
  }

  /** Closes the listening port and cuts open connections: clients get ECONNREFUSED / resets. */
  async takeDown(id: number): Promise<void> {
    const entry = this.entry(id);
    if (!entry.up) return;
    entry.up = false;
    const closed = new Promise<void>((resolve) => entry.server.close(() => resolve()));
    for (const socket of entry.sockets) socket.destroy();
    await closed;
  }

  async bringUp(id: number): Promise<void> {
    const entry = this.entry(id);
    if (entry.up) return;
    entry.server = this.createProxyServer(id);
    await this.listen(entry);
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => this.takeDown(p.id)));
    this.api.close();
  }

  private entry(id: number): ProxyEntry {
    const entry = this.proxies[id];
    if (!entry) throw new Error(`no proxy ${id}`);
    return entry;
  }

  private async listen(entry: ProxyEntry): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      entry.server.once('error', reject);
      entry.server.listen(entry.port, this.host, () => {
        entry.server.off('error', reject);
        resolve();
      });
    });
    entry.port = (entry.server.address() as AddressInfo).port;
    entry.url = `http://${this.host}:${entry.port}`;
    entry.up = true;
  }

  private createProxyServer(id: number): Server {
    const server = createServer((req, res) => {
      void this.serveApi(req, res, id);
    });
    server.on('connection', (socket: Socket) => {
      const entry = this.proxies[id];
      entry?.sockets.add(socket);
      socket.on('close', () => entry?.sockets.delete(socket));
    });
    server.on('connect', (req: IncomingMessage, socket: Socket) => this.onConnect(id, socket));
    return server;
  }

  private onConnect(id: number, socket: Socket): void {
    socket.on('error', () => socket.destroy());
    const target = { username: null, proxyId: id, path: '' };
    const fault = this.state.faults.matching(target, ['refuse', 'connect_error']).find((f) => this.state.faults.fires(f));
    this.state.log.recordConnection(id, fault !== undefined);
    if (fault) {
      this.state.faults.consume(fault);
      if (fault.kind === 'refuse') socket.destroy();
      else socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = new TLSSocket(socket, { isServer: true, key: this.tls.key, cert: this.tls.cert });
    secure.on('error', () => secure.destroy());
    this.socketProxy.set(secure, id);
    this.entry(id).sockets.add(secure);
    secure.on('close', () => this.proxies[id]?.sockets.delete(secure));
    this.api.emit('connection', secure);
  }

  private async serveApi(req: IncomingMessage, res: ServerResponse, plainProxyId?: number): Promise<void> {
    const proxyId = plainProxyId ?? this.socketProxy.get(req.socket) ?? null;
    let action: TransportAction;
    try {
      action = await handleRequest(this.state, await toIgRequest(req, proxyId));
    } catch {
      action = { kind: 'reset' };
    }
    perform(action, res);
  }
}

function perform(action: TransportAction, res: ServerResponse): void {
  if (action.kind === 'reset') {
    res.socket?.destroy();
    return;
  }
  const { status, body, headers } = action.response;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
    ...headers,
  });
  if (action.kind === 'drop') {
    // Half the body, then the connection dies: the client sees an aborted response.
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(bytes);
}
