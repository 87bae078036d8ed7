import type { ChannelEvents, ChannelPattern, ErrorReply, EventFrame, PresenceDiff, PresenceReply, SendReply, Signal, SubscribeReply, Unsubscribed } from "./channels.js";
export type * from "./channels.js";
/** The REST API's types (generated from its OpenAPI document): `Api.BoardOut`, and
 * `Api.Responses["GET /api/v1/me"]` for an operation's success body. */
export type * as Api from "./api.js";
export type { ChannelEvents, ChannelPattern, EventFrame };
/** Close codes of /ws and what a client does about each (channels/asyncapi.yaml). */
export declare const CloseCodes: Readonly<{
    readonly NORMAL: 1000;
    readonly MESSAGE_TOO_BIG: 1009;
    readonly INTERNAL_ERROR: 1011;
    readonly SERVER_RESTART: 1012;
    readonly AUTH_FAILED: 4001;
    readonly POLICY_VIOLATION: 4008;
    readonly SLOW_CONSUMER: 4009;
}>;
export type CloseAction = "refresh" | "backoff" | "reconnect";
/** What the socket does after a close with `code`: "refresh", "backoff" or "reconnect". */
export declare function closeAction(code: number): CloseAction;
export interface BackoffOptions {
    /** The first ceiling, in ms (500). */
    base?: number;
    /** The highest ceiling, in ms (15000). */
    cap?: number;
    random?: () => number;
}
/** Full-jitter exponential backoff: a random delay in [0, min(cap, base * 2^attempt)). */
export declare function backoffDelay(attempt: number, { base, cap, random }?: BackoffOptions): number;
/** RFC 9457 problem details, as the REST API answers errors. */
export interface Problem {
    type?: string;
    title?: string;
    status?: number;
    detail?: string;
    code?: string;
    [key: string]: unknown;
}
/** An error answered by the REST API: RFC 9457 problem details. */
export declare class ProblemError extends Error {
    status: number;
    problem: Problem;
    code: string | null;
    constructor(status: number, problem: Problem | null);
}
/** A token pair as `/api/v1/auth/token` and `/refresh` answer it. */
export interface TokenPair {
    access_token: string;
    refresh_token: string | null;
    expires_in: number;
    refresh_expires_in: number;
}
/** A token pair with the moment (ms since the epoch) its access token expires. */
export interface Tokens extends TokenPair {
    expires_at: number;
}
export interface StorageLike {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}
/** The part of the WebSocket API the client uses (browsers, Node 22, `ws`, React Native). */
export interface SocketLike {
    readonly readyState: number;
    onopen: ((event: unknown) => void) | null;
    onmessage: ((event: {
        data: unknown;
    }) => void) | null;
    onclose: ((event: {
        code: number;
    }) => void) | null;
    send(data: string): void;
    close(code?: number): void;
}
export type SocketConstructor = new (url: string, protocols: string[]) => SocketLike;
/** The part of the Fetch API the client uses. */
export interface ResponseLike {
    ok: boolean;
    status: number;
    json(): Promise<unknown>;
}
export type FetchLike = (url: string, init: RequestInit) => Promise<ResponseLike>;
export interface ClientOptions {
    /** Where the server is (default: the page's origin). */
    baseUrl?: string;
    /** Keeps tokens and channel offsets (default: memory; pages pass sessionStorage). */
    storage?: StorageLike;
    fetch?: FetchLike;
    /** Node < 22: pass a WebSocket implementation. */
    WebSocket?: SocketConstructor;
    /** Reconnection: full-jitter backoff between base and cap (ms); after maxAttempts failed
     * reconnections in a row (default: never) the socket gives up with state "failed". */
    backoff?: {
        base?: number;
        cap?: number;
        maxAttempts?: number;
    };
    /** A socket not open after this many ms is dropped and the next attempt starts (10000). */
    connectTimeout?: number;
    /** A REST call not answered after this many ms fails (30000). */
    requestTimeout?: number;
}
export interface RequestOptions {
    json?: unknown;
    headers?: Record<string, string>;
    retry?: boolean;
}
type Timer = ReturnType<typeof setTimeout>;
type AnySubscription = Subscription<any>;
/**
 * The client: one per signed-in person.
 *   const client = new EdtechClient({ baseUrl: "https://school.example" });
 *   await client.signIn("teacher1@demo.test", "edtech-demo");
 *   const board = await client.get(`/api/v1/attendance/sessions/${id}/board`);
 */
export declare class EdtechClient extends EventTarget {
    baseUrl: string;
    storage: StorageLike;
    fetch: FetchLike;
    WebSocket: SocketConstructor;
    backoff: {
        base: number;
        cap: number;
        maxAttempts: number;
    };
    connectTimeout: number;
    requestTimeout: number;
    tokens: Tokens | null;
    private _refreshing;
    private _realtime;
    constructor(options?: ClientOptions);
    get signedIn(): boolean;
    /** The live socket (created on first use, connected while something is subscribed). */
    get realtime(): Realtime;
    signIn(email: string, password: string): Promise<Tokens>;
    /** Sign out here (revokes the session), forget tokens and offsets, close the socket. */
    signOut(): Promise<void>;
    /** A valid access token, refreshing it first when it is about to expire. */
    accessToken(): Promise<string>;
    /**
     * Exchange the refresh token for a new pair. Serialised: concurrent callers share one request,
     * and a refresh token is never sent twice (the server would take a reuse for theft and end the
     * sign-in). A refused refresh signs out.
     */
    refresh(): Promise<string>;
    /** Call the REST API; JSON in and out; a 401 refreshes once and retries. */
    request<T = unknown>(method: string, path: string, { json, headers, retry }?: RequestOptions): Promise<T>;
    get<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    post<T = unknown>(path: string, json?: unknown, options?: RequestOptions): Promise<T>;
    put<T = unknown>(path: string, json?: unknown, options?: RequestOptions): Promise<T>;
    /** Adopt a token pair the API answered elsewhere (accepting an invitation signs in). */
    useTokens(pair: TokenPair): void;
    /** `fetch` with the client's time limit (where the platform has `AbortSignal.timeout`). */
    private _fetch;
    private _keep;
    private _forget;
}
/** A channel position: the offset of the last event seen, and the epoch it belongs to. */
export interface Position {
    offset: number | null;
    epoch?: string | null;
}
export type SubscribeData = SubscribeReply["data"];
export type PresenceData = PresenceReply["data"];
export type Member = NonNullable<PresenceData["members"]>[number];
/** What each Subscription event hands its listener. */
export interface SubscriptionEvents<P extends ChannelPattern> {
    /** An event frame: each offset once, in order. */
    event: EventFrame<P>;
    /** `recovered: false`: reload the state over REST, then `reset()`. */
    reload: SubscribeData;
    /** Access withdrawn: no more events come. */
    unsubscribed: Unsubscribed["error"];
    /** Someone is typing (ephemeral, never recovered). */
    signal: Signal;
    /** People who came and went. */
    presence: PresenceDiff;
    /** The subscription was refused. */
    error: RealtimeError;
}
/** A reply with `ok: false`, as an Error. */
export declare class RealtimeError extends Error {
    code: ErrorReply["error"]["code"] | null;
    detail: ErrorReply["error"] | null;
    constructor(message: string, detail?: ErrorReply["error"] | null);
}
/**
 * One channel subscription. Events: "event" (detail: the event frame, each offset once, in
 * order), "reload" (recovered: false — reload the state over REST), "unsubscribed" (access
 * withdrawn), "presence" and "signal" (typing).
 */
export declare class Subscription<P extends ChannelPattern = ChannelPattern> extends EventTarget {
    readonly realtime: Realtime;
    readonly channel: string;
    offset: number | null;
    epoch: string;
    active: boolean;
    constructor(realtime: Realtime, channel: string, since: Position | null | undefined);
    /** Shorthand: `sub.on("event", (frame) => …)`. */
    on<K extends keyof SubscriptionEvents<P>>(type: K, listener: (detail: SubscriptionEvents<P>[K]) => void): this;
    /** Adopt a REST snapshot's channel position (after a reload). */
    reset(offset: number, epoch: string | null | undefined): void;
    unsubscribe(): void;
    /** @internal */
    _emit<K extends keyof SubscriptionEvents<P>>(type: K, detail: SubscriptionEvents<P>[K]): void;
    /** @internal Deliver an event frame unless its offset was seen. */
    _deliver(frame: EventFrame<P>): boolean;
}
export type ConnectionState = "idle" | "connecting" | "live" | "reconnecting" | "signedout" | "closed" | "failed";
export interface StateDetail {
    state: ConnectionState;
    /** After a reconnect: every channel recovered by offset. */
    resumed?: boolean;
    /** After a reconnect: some channel could not be recovered and was reloaded. */
    reloaded?: boolean;
    /** With "failed": how many reconnections were tried. */
    attempts?: number;
}
/**
 * The socket. `state` is "idle", "connecting", "live", "reconnecting", "signedout", "closed"
 * or "failed"; the "state" event's detail also says `resumed` (every channel recovered after a
 * reconnect) or `reloaded` (some channel could not be recovered and was reloaded over REST).
 */
export declare class Realtime extends EventTarget {
    readonly client: EdtechClient;
    readonly subs: Map<string, AnySubscription>;
    state: ConnectionState;
    ws: SocketLike | null;
    attempt: number;
    everConnected: boolean;
    offsets: Record<string, Position>;
    private pending;
    private _ref;
    /** @internal timers, null when not running */
    _timer: Timer | null;
    _ping: ReturnType<typeof setInterval> | null;
    _pong: Timer | null;
    _renew: Timer | null;
    _opening: Timer | null;
    private _connecting;
    private _closing;
    constructor(client: EdtechClient);
    /** Listen to the socket's state: `realtime.onState(({state, resumed}) => …)`. */
    onState(listener: (detail: StateDetail) => void): this;
    /** Subscribe to `channel`; `since` ({offset, epoch}, e.g. a REST snapshot's) resumes. */
    subscribe<P extends ChannelPattern = ChannelPattern>(channel: string, { since }?: {
        since?: Position | null;
    }): Subscription<P>;
    /**
     * A command on a channel (a chat message). `id` makes it idempotent: it is sent again, with
     * the same id, after a reconnect until the server answers, and takes effect once.
     */
    send(channel: string, data: Record<string, unknown>, { id }?: {
        id?: string;
    }): Promise<SendReply["data"]>;
    /** Tell the channel's other members you are typing (a no-op while not live). */
    typing(channel: string): Promise<Record<string, unknown> | null>;
    /** Who is in the channel now. */
    presence(channel: string): Promise<PresenceData>;
    connect(): void;
    /**
     * Close for good (sign-out, page leaving): the socket, every timer and every pending request
     * end here, so nothing is left to keep a Node process alive or reconnect later.
     */
    close(): void;
    private _stopTimers;
    private _setState;
    private _open;
    /** Give up on `ws` (no open, no pong): forget it at once and go on as after a close. */
    private _drop;
    /** `ws` closed (or was dropped) with `code`: reject what cannot be resent, then act on it. */
    private _closed;
    private _retry;
    private _signedOut;
    private _heartbeat;
    private _scheduleRenew;
    private _sendSubscribe;
    private _subscribed;
    private _request;
    private _onFrame;
    /** @internal */
    _unsubscribe(sub: AnySubscription): void;
    /** @internal */
    _persist(sub: AnySubscription): void;
}
