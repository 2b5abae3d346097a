import http from 'node:http';
import net from 'node:net';

/**
 * A minimal SOCKS5 server (no auth or user/password auth, CONNECT only) that reaches its targets through an HTTP
 * CONNECT proxy — the emulator's — so a socks5:// account proxy can be tested end to end offline.
 */
export async function startSocksBridge(upstreamHttpProxy: string, credentials?: { user: string; pass: string }) {
  const upstream = new URL(upstreamHttpProxy);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.once('data', (greeting) => {
      const wantsAuth = !!credentials;
      client.write(Buffer.from([5, wantsAuth ? 2 : 0]));
      const afterAuth = (next: () => void) => {
        if (!wantsAuth) return next();
        client.once('data', (auth) => {
          const userLen = auth[1]!;
          const user = auth.subarray(2, 2 + userLen).toString();
          const pass = auth.subarray(3 + userLen, 3 + userLen + auth[2 + userLen]!).toString();
          const ok = user === credentials!.user && pass === credentials!.pass;
          client.write(Buffer.from([1, ok ? 0 : 1]));
          if (ok) next();
          else client.end();
        });
      };
      void greeting;
      afterAuth(() =>
        client.once('data', (request) => {
          const { host, port } = parseTarget(request);
          const tunnel = http.request({ host: upstream.hostname, port: Number(upstream.port), method: 'CONNECT', path: `${host}:${port}` });
          tunnel.once('connect', (response, socket) => {
            if (response.statusCode !== 200) return client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
            client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            socket.pipe(client).pipe(socket);
            socket.on('error', () => client.destroy());
            client.on('error', () => socket.destroy());
          });
          tunnel.once('error', () => client.destroy());
          tunnel.end();
        }),
      );
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy(); // clients may keep idle tunnels open
      server.close(() => resolve());
    });
  return { port, close };
}

function parseTarget(request: Buffer): { host: string; port: number } {
  const type = request[3];
  if (type === 3) {
    const length = request[4]!;
    return { host: request.subarray(5, 5 + length).toString(), port: request.readUInt16BE(5 + length) };
  }
  if (type === 1) return { host: [...request.subarray(4, 8)].join('.'), port: request.readUInt16BE(8) };
  throw new Error('IPv6 targets are not supported by the test bridge');
}
