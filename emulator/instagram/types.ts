/** Request/response model shared by the transport, the pipeline and the endpoint handlers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Session } from './sessions.js';
import type { EmulatorState } from './state.js';

export interface IgRequest {
  method: string;
  /** Path without the query, e.g. `/api/v1/feed/user/123/`. */
  path: string;
  query: URLSearchParams;
  /** Fields of an urlencoded body. */
  form: Record<string, string>;
  /** The JSON inside `signed_body=<sig>.<json>`, when the body is signed. */
  signed: Record<string, unknown>;
  cookies: Record<string, string>;
  headers: IncomingHttpHeaders;
  proxyId: number | null;
}

export interface IgResponse {
  status: number;
  /** Serialized body (JSON text, except for a few 5xx). */
  body: string;
  headers?: Record<string, string | string[]>;
}

/** What the pipeline tells the transport to do. */
export type TransportAction =
  | { kind: 'respond'; response: IgResponse }
  /** Send the status line, headers and part of the body, then cut the connection. */
  | { kind: 'drop'; response: IgResponse }
  /** Destroy the connection without answering. */
  | { kind: 'reset' };

export interface HandlerContext {
  req: IgRequest;
  params: Record<string, string>;
  /** The valid session of the request (authenticated routes always have one). */
  session: Session | undefined;
  state: EmulatorState;
}

export type Handler = (ctx: HandlerContext) => IgResponse | Promise<IgResponse>;
