// The client's public API. Channel payloads: ./channels.d.ts (generated from the contract).
import type { ChannelEvents, ChannelPattern, EventFrame } from "./channels";

export type { ChannelEvents, ChannelPattern, EventFrame } from "./channels";

export declare const CloseCodes: Readonly<{
  NORMAL: 1000;
  MESSAGE_TOO_BIG: 1009;
  SERVER_RESTART: 1012;
  AUTH_FAILED: 4001;
  POLICY_VIOLATION: 4008;
  SLOW_CONSUMER: 4009;
}>;

export type CloseAction = "refresh" | "backoff" | "reconnect";
export declare function closeAction(code: number): CloseAction;
export declare function backoffDelay(
  attempt: number,
  options?: { base?: number; cap?: number; random?: () => number },
): number;

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [key: string]: unknown;
}

export declare class ProblemError extends Error {
  status: number;
  problem: Problem;
  code: string | null;
}

export interface Tokens {
  access_token: string;
  refresh_token: string | null;
  expires_in: number;
  refresh_expires_in: number;
  expires_at: number;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ClientOptions {
  /** Where the server is (default: the page's origin). */
  baseUrl?: string;
  /** Keeps tokens and channel offsets (default: memory; pages pass sessionStorage). */
  storage?: StorageLike;
  fetch?: typeof fetch;
  /** Node < 22: pass a WebSocket implementation. */
  WebSocket?: typeof WebSocket;
  /** Reconnection: full-jitter backoff between base and cap (ms); after maxAttempts failed
   * reconnections in a row (default: never) the socket gives up with state "failed". */
  backoff?: { base?: number; cap?: number; maxAttempts?: number };
  /** A socket not open after this many ms is dropped and the next attempt starts (10000). */
  connectTimeout?: number;
  /** A REST call not answered after this many ms fails (30000). */
  requestTimeout?: number;
}

export interface Since {
  offset: number;
  epoch?: string | null;
}

export declare class EdtechClient extends EventTarget {
  constructor(options?: ClientOptions);
  readonly signedIn: boolean;
  readonly realtime: Realtime;
  tokens: Tokens | null;
  signIn(email: string, password: string): Promise<Tokens>;
  signOut(): Promise<void>;
  accessToken(): Promise<string>;
  /** Adopt a token pair the API answered elsewhere (accepting an invitation signs in). */
  useTokens(pair: Omit<Tokens, "expires_at">): void;
  /** Serialised: concurrent callers share one request; a refresh token is sent once. */
  refresh(): Promise<string>;
  request<T = unknown>(
    method: string,
    path: string,
    options?: { json?: unknown; headers?: Record<string, string>; retry?: boolean },
  ): Promise<T>;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, json?: unknown): Promise<T>;
  put<T = unknown>(path: string, json?: unknown): Promise<T>;
}

export interface SubscribeData {
  channel: string;
  epoch: string;
  offset: number;
  recovered?: boolean;
}

export declare class Subscription<P extends ChannelPattern = ChannelPattern> extends EventTarget {
  readonly channel: string;
  offset: number | null;
  epoch: string;
  active: boolean;
  on(type: "event", listener: (frame: EventFrame<P>) => void): this;
  on(type: "reload", listener: (data: SubscribeData) => void): this;
  on(type: "unsubscribed", listener: (error: { code: string; message: string }) => void): this;
  on(type: "signal" | "presence" | "error", listener: (detail: unknown) => void): this;
  reset(offset: number, epoch: string | null): void;
  unsubscribe(): void;
}

export type ConnectionState =
  | "idle"
  | "connecting"
  | "live"
  | "reconnecting"
  | "signedout"
  | "closed"
  | "failed";

export interface StateDetail {
  state: ConnectionState;
  /** After a reconnect: every channel recovered by offset. */
  resumed?: boolean;
  /** After a reconnect: some channel could not be recovered and was reloaded. */
  reloaded?: boolean;
}

export declare class Realtime extends EventTarget {
  readonly state: ConnectionState;
  subscribe<P extends ChannelPattern = ChannelPattern>(
    channel: string,
    options?: { since?: Since },
  ): Subscription<P>;
  send(channel: string, data: Record<string, unknown>, options?: { id?: string }): Promise<Record<string, unknown>>;
  typing(channel: string): Promise<unknown>;
  presence(channel: string): Promise<unknown>;
  connect(): void;
  close(): void;
}

export type { ChannelEvents as Events };
