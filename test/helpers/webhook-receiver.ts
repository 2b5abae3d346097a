import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A webhook receiver as an integration would write one: a real HTTP server that verifies every message with the
 * Standard Webhooks reference package (`standardwebhooks`) and the secrets it was given, and records what came.
 * `answer` decides the reply per message (status, and an optional delay before it).
 */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Which of the receiver's secrets (by index) verify this message with the reference package. */
  verifiedBy: number[];
  /** The reply sent; undefined while held, or when the connection died first. */
  status?: number;
  at: number;
}

export type Answer = (message: Received, seenBefore: number) => { status: number; delayMs?: number } | number;

export interface WebhookReceiver {
  url: string;
  port: number;
  received: Received[];
  secrets: string[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secrets?: string[]; answer?: Answer } = {}): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    secrets: options.secrets ?? [],
    answer: options.answer ?? (() => 204),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const headers = {
        'webhook-id': String(request.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
      };
      const verifiedBy = receiver.secrets.flatMap((secret, index) => {
        try {
          new Webhook(secret).verify(body, headers);
          return [index];
        } catch {
          return [];
        }
      });
      const message: Received = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        payload: JSON.parse(body) as Received['payload'],
        verifiedBy,
        at: Date.now(),
      };
      const seenBefore = receiver.received.filter((r) => r.id === message.id).length;
      receiver.received.push(message);
      const decided = receiver.answer(message, seenBefore);
      const { status, delayMs } = typeof decided === 'number' ? { status: decided, delayMs: 0 } : decided;
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (response.destroyed) return;
      message.status = status;
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks/ig-scout`;
  return receiver;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
