// edtech client: REST sign-in with serialised token refresh, and one multiplexed /ws socket
// that resumes every channel by offset and epoch across reconnects. No dependencies: browsers,
// React Native and Node (pass `WebSocket` on Node < 22).
// Source of truth: clients/js/src/edtech.ts. `npm run build` (in clients/js) compiles it to
// dist/ (JavaScript and declarations); channel and frame types come from ./channels.ts,
// generated from channels/asyncapi.yaml by `uv run python -m edtech.web.sdk_types`.
const TOKENS_KEY = "edtech.tokens";
const OFFSETS_KEY = "edtech.offsets";
/** Close codes of /ws and what a client does about each (channels/asyncapi.yaml). */
export const CloseCodes = Object.freeze({
    NORMAL: 1000,
    MESSAGE_TOO_BIG: 1009,
    INTERNAL_ERROR: 1011,
    SERVER_RESTART: 1012,
    AUTH_FAILED: 4001,
    POLICY_VIOLATION: 4008,
    SLOW_CONSUMER: 4009,
});
/** What the socket does after a close with `code`: "refresh", "backoff" or "reconnect". */
export function closeAction(code) {
    if (code === CloseCodes.AUTH_FAILED)
        return "refresh"; // renew the token, then reconnect
    if (code === CloseCodes.POLICY_VIOLATION)
        return "backoff"; // too many frames: wait longer
    return "reconnect"; // 1011 a fault, 1012 draining, 4009 slow, 1006 gone: resume by offset
}
/** Full-jitter exponential backoff: a random delay in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt, { base = 500, cap = 15000, random = Math.random } = {}) {
    return Math.floor(random() * Math.min(cap, base * 2 ** attempt));
}
/** An error answered by the REST API: RFC 9457 problem details. */
export class ProblemError extends Error {
    status;
    problem;
    code;
    constructor(status, problem) {
        super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
        this.name = "ProblemError";
        this.status = status;
        this.problem = problem || {};
        this.code = this.problem.code || null;
    }
}
function memoryStorage() {
    const data = new Map();
    return {
        getItem: (k) => (data.has(k) ? data.get(k) : null),
        setItem: (k, v) => void data.set(k, String(v)),
        removeItem: (k) => void data.delete(k),
    };
}
function readJson(storage, key) {
    try {
        const raw = storage.getItem(key);
        return raw ? JSON.parse(raw) : null;
    }
    catch {
        return null;
    }
}
function newId() {
    if (globalThis.crypto && globalThis.crypto.randomUUID)
        return globalThis.crypto.randomUUID();
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
async function problemOf(r) {
    return (await r.json().catch(() => null));
}
/**
 * The client: one per signed-in person.
 *   const client = new EdtechClient({ baseUrl: "https://school.example" });
 *   await client.signIn("teacher1@demo.test", "edtech-demo");
 *   const board = await client.get(`/api/v1/attendance/sessions/${id}/board`);
 */
export class EdtechClient extends EventTarget {
    baseUrl;
    storage;
    fetch;
    WebSocket;
    backoff;
    connectTimeout;
    requestTimeout;
    tokens;
    _refreshing = null;
    _realtime = null;
    constructor(options = {}) {
        super();
        const origin = globalThis.location ? globalThis.location.origin : "";
        this.baseUrl = (options.baseUrl ?? origin).replace(/\/$/, "");
        this.storage = options.storage || memoryStorage();
        this.fetch = options.fetch || globalThis.fetch.bind(globalThis);
        this.WebSocket = options.WebSocket || globalThis.WebSocket;
        // A REST call that has not answered in this long fails (a frozen node must not hang a caller).
        this.requestTimeout = options.requestTimeout ?? 30000;
        // maxAttempts: reconnections in a row before giving up (state "failed"); connectTimeout:
        // how long a socket may stay opening before it is dropped and the next attempt starts.
        this.backoff = { base: 500, cap: 15000, maxAttempts: Infinity, ...(options.backoff || {}) };
        this.connectTimeout = options.connectTimeout ?? 10000;
        this.tokens = readJson(this.storage, TOKENS_KEY);
    }
    get signedIn() {
        return Boolean(this.tokens && this.tokens.refresh_token);
    }
    /** The live socket (created on first use, connected while something is subscribed). */
    get realtime() {
        if (!this._realtime)
            this._realtime = new Realtime(this);
        return this._realtime;
    }
    async signIn(email, password) {
        const body = new URLSearchParams({ username: email, password });
        const r = await this._fetch(`${this.baseUrl}/api/v1/auth/token`, { method: "POST", body });
        if (!r.ok)
            throw new ProblemError(r.status, await problemOf(r));
        this._keep((await r.json()));
        return this.tokens;
    }
    /** Sign out here (revokes the session), forget tokens and offsets, close the socket. */
    async signOut() {
        const access = this.tokens && this.tokens.access_token;
        this._forget();
        if (access) {
            await this._fetch(`${this.baseUrl}/api/v1/auth/logout`, {
                method: "POST",
                headers: { Authorization: `Bearer ${access}` },
            }).catch(() => null);
        }
    }
    /** A valid access token, refreshing it first when it is about to expire. */
    async accessToken() {
        if (!this.tokens)
            throw new ProblemError(401, { title: "Not signed in." });
        if (Date.now() >= this.tokens.expires_at - 30000)
            await this.refresh();
        return this.tokens.access_token;
    }
    /**
     * Exchange the refresh token for a new pair. Serialised: concurrent callers share one request,
     * and a refresh token is never sent twice (the server would take a reuse for theft and end the
     * sign-in). A refused refresh signs out.
     */
    refresh() {
        if (this._refreshing)
            return this._refreshing;
        const refreshToken = this.tokens && this.tokens.refresh_token;
        if (!this.tokens || !refreshToken) {
            return Promise.reject(new ProblemError(401, { title: "Not signed in." }));
        }
        this.tokens = { ...this.tokens, refresh_token: null }; // spent, whatever happens next
        this._refreshing = (async () => {
            try {
                const r = await this._fetch(`${this.baseUrl}/api/v1/auth/refresh`, {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ refresh_token: refreshToken }),
                });
                if (r.status === 401) {
                    this._forget();
                    this.dispatchEvent(new CustomEvent("signedout", { detail: { reason: "refresh" } }));
                    throw new ProblemError(401, await problemOf(r));
                }
                if (!r.ok) {
                    // Not an answer about the token (5xx, network): keep it for the next try.
                    if (this.tokens)
                        this.tokens = { ...this.tokens, refresh_token: refreshToken };
                    throw new ProblemError(r.status, await problemOf(r));
                }
                this._keep((await r.json()));
                return this.tokens.access_token;
            }
            finally {
                this._refreshing = null;
            }
        })();
        return this._refreshing;
    }
    /** Call the REST API; JSON in and out; a 401 refreshes once and retries. */
    async request(method, path, { json, headers = {}, retry = true } = {}) {
        const token = await this.accessToken();
        const init = {
            method,
            headers: { ...headers, Authorization: `Bearer ${token}` },
        };
        if (json !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(json);
        }
        const r = await this._fetch(`${this.baseUrl}${path}`, init);
        if (r.status === 401 && retry && this.signedIn) {
            await this.refresh();
            return this.request(method, path, { json, headers, retry: false });
        }
        if (!r.ok)
            throw new ProblemError(r.status, await problemOf(r));
        if (r.status === 204 || r.status === 202)
            return null;
        return (await r.json());
    }
    get(path, options) {
        return this.request("GET", path, options);
    }
    post(path, json, options = {}) {
        return this.request("POST", path, { ...options, json });
    }
    put(path, json, options = {}) {
        return this.request("PUT", path, { ...options, json });
    }
    /** Adopt a token pair the API answered elsewhere (accepting an invitation signs in). */
    useTokens(pair) {
        this._keep(pair);
    }
    /** `fetch` with the client's time limit (where the platform has `AbortSignal.timeout`). */
    _fetch(url, init = {}) {
        const timeout = typeof AbortSignal !== "undefined" && "timeout" in AbortSignal;
        const signal = timeout && !init.signal ? AbortSignal.timeout(this.requestTimeout) : init.signal;
        return this.fetch(url, signal ? { ...init, signal } : init);
    }
    _keep(pair) {
        this.tokens = { ...pair, expires_at: Date.now() + pair.expires_in * 1000 };
        this.storage.setItem(TOKENS_KEY, JSON.stringify(this.tokens));
        this.dispatchEvent(new CustomEvent("tokens", { detail: this.tokens }));
    }
    _forget() {
        this.tokens = null;
        this.storage.removeItem(TOKENS_KEY);
        this.storage.removeItem(OFFSETS_KEY);
        if (this._realtime)
            this._realtime.close();
        this._realtime = null;
    }
}
/** A reply with `ok: false`, as an Error. */
export class RealtimeError extends Error {
    code;
    detail;
    constructor(message, detail = null) {
        super(message);
        this.name = "RealtimeError";
        this.code = detail ? detail.code : null;
        this.detail = detail;
    }
}
/**
 * One channel subscription. Events: "event" (detail: the event frame, each offset once, in
 * order), "reload" (recovered: false — reload the state over REST), "unsubscribed" (access
 * withdrawn), "presence" and "signal" (typing).
 */
export class Subscription extends EventTarget {
    realtime;
    channel;
    offset;
    epoch;
    active = true;
    constructor(realtime, channel, since) {
        super();
        this.realtime = realtime;
        this.channel = channel;
        this.offset = since ? since.offset : null;
        this.epoch = since ? since.epoch || "" : "";
    }
    /** Shorthand: `sub.on("event", (frame) => …)`. */
    on(type, listener) {
        this.addEventListener(type, (e) => listener(e.detail));
        return this;
    }
    /** Adopt a REST snapshot's channel position (after a reload). */
    reset(offset, epoch) {
        this.offset = offset;
        this.epoch = epoch || "";
        this.realtime._persist(this);
    }
    unsubscribe() {
        this.realtime._unsubscribe(this);
    }
    /** @internal */
    _emit(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }
    /** @internal Deliver an event frame unless its offset was seen. */
    _deliver(frame) {
        if (this.offset !== null && frame.offset <= this.offset)
            return false; // duplicate
        this.offset = frame.offset;
        this.realtime._persist(this);
        this._emit("event", frame);
        return true;
    }
}
/**
 * The socket. `state` is "idle", "connecting", "live", "reconnecting", "signedout", "closed"
 * or "failed"; the "state" event's detail also says `resumed` (every channel recovered after a
 * reconnect) or `reloaded` (some channel could not be recovered and was reloaded over REST).
 */
export class Realtime extends EventTarget {
    client;
    subs = new Map();
    state = "idle";
    ws = null;
    attempt = 0;
    everConnected = false;
    offsets;
    pending = new Map();
    _ref = 0;
    /** @internal timers, null when not running */
    _timer = null;
    _ping = null;
    _pong = null;
    _renew = null;
    _opening = null;
    _connecting = false;
    _closing = false;
    constructor(client) {
        super();
        this.client = client;
        this.offsets = readJson(client.storage, OFFSETS_KEY) || {};
    }
    /** Listen to the socket's state: `realtime.onState(({state, resumed}) => …)`. */
    onState(listener) {
        this.addEventListener("state", (e) => listener(e.detail));
        return this;
    }
    /** Subscribe to `channel`; `since` ({offset, epoch}, e.g. a REST snapshot's) resumes. */
    subscribe(channel, { since } = {}) {
        const known = since || this.offsets[channel];
        const sub = new Subscription(this, channel, known);
        this.subs.set(channel, sub);
        if (this.ws && this.ws.readyState === 1)
            this._sendSubscribe(sub);
        else
            this.connect();
        return sub;
    }
    /**
     * A command on a channel (a chat message). `id` makes it idempotent: it is sent again, with
     * the same id, after a reconnect until the server answers, and takes effect once.
     */
    send(channel, data, { id = newId() } = {}) {
        return this._request({ op: "send", channel, id, data }, true);
    }
    /** Tell the channel's other members you are typing (a no-op while not live). */
    typing(channel) {
        if (this.state !== "live")
            return Promise.resolve(null);
        return this._request({ op: "typing", channel }, false).catch(() => null);
    }
    /** Who is in the channel now. */
    presence(channel) {
        return this._request({ op: "presence", channel }, false);
    }
    connect() {
        if (this.ws || this._timer || this._connecting || this._closing)
            return;
        void this._open();
    }
    /**
     * Close for good (sign-out, page leaving): the socket, every timer and every pending request
     * end here, so nothing is left to keep a Node process alive or reconnect later.
     */
    close() {
        this._closing = true;
        this._stopTimers();
        if (this._timer)
            clearTimeout(this._timer);
        this._timer = null;
        const ws = this.ws;
        this.ws = null;
        if (ws)
            ws.close(1000);
        for (const p of this.pending.values())
            p.reject(new Error("closed"));
        this.pending.clear();
        if (this.state !== "signedout" && this.state !== "failed")
            this._setState("closed");
    }
    _stopTimers() {
        if (this._ping)
            clearInterval(this._ping);
        if (this._pong)
            clearTimeout(this._pong);
        if (this._renew)
            clearTimeout(this._renew);
        if (this._opening)
            clearTimeout(this._opening);
        this._ping = this._pong = this._renew = this._opening = null;
    }
    _setState(state, detail = {}) {
        this.state = state;
        this.dispatchEvent(new CustomEvent("state", { detail: { state, ...detail } }));
    }
    async _open() {
        this._setState(this.everConnected ? "reconnecting" : "connecting");
        this._connecting = true; // one attempt at a time, even while the token is refreshed
        let token;
        try {
            token = await this.client.accessToken();
        }
        catch (err) {
            this._connecting = false;
            if (this._closing)
                return;
            if (err.status === 401)
                return this._signedOut();
            return this._retry();
        }
        this._connecting = false;
        if (this._closing)
            return; // closed while the token was being refreshed
        const url = `${this.client.baseUrl.replace(/^http/, "ws") || wsOrigin()}/ws`;
        let ws;
        try {
            ws = new this.client.WebSocket(url, ["edtech.v1", `bearer.${token}`]);
        }
        catch {
            return this._retry();
        }
        this.ws = ws;
        const reconnecting = this.everConnected;
        const outcome = { waiting: 0, reloaded: false };
        // A socket that never opens (a frozen node behind a proxy) must not hold the client forever.
        this._opening = setTimeout(() => {
            if (this.ws === ws && ws.readyState !== 1)
                this._drop(ws);
        }, this.client.connectTimeout);
        ws.onopen = () => {
            if (this.ws !== ws)
                return; // dropped before it opened
            if (this._opening)
                clearTimeout(this._opening);
            this._opening = null;
            this.attempt = 0;
            this.everConnected = true;
            this._ping = setInterval(() => this._heartbeat(), 20000);
            this._scheduleRenew();
            outcome.waiting = this.subs.size;
            for (const sub of this.subs.values())
                this._sendSubscribe(sub, outcome, reconnecting);
            for (const p of this.pending.values())
                if (p.resend)
                    ws.send(JSON.stringify(p.frame));
            if (outcome.waiting === 0)
                this._setState("live", { resumed: reconnecting });
        };
        ws.onmessage = (msg) => {
            if (this.ws === ws)
                this._onFrame(JSON.parse(String(msg.data)));
        };
        ws.onclose = (event) => this._closed(ws, event.code);
    }
    /** Give up on `ws` (no open, no pong): forget it at once and go on as after a close. */
    _drop(ws) {
        try {
            ws.close(4000);
        }
        catch {
            /* already closing */
        }
        this._closed(ws, 1006);
    }
    /** `ws` closed (or was dropped) with `code`: reject what cannot be resent, then act on it. */
    _closed(ws, code) {
        if (this.ws !== ws)
            return;
        this.ws = null;
        this._stopTimers();
        for (const [ref, p] of this.pending) {
            if (!p.resend) {
                p.reject(new Error("disconnected"));
                this.pending.delete(ref);
            }
        }
        if (this._closing)
            return;
        const action = closeAction(code);
        if (action === "refresh") {
            this._connecting = true; // no other attempt while the token is renewed
            this.client.refresh().then(() => {
                this._connecting = false;
                this._retry(0);
            }, (err) => {
                this._connecting = false;
                if (err.status === 401)
                    this._signedOut();
                else
                    this._retry();
            });
        }
        else {
            this._retry(action === "backoff" ? 3 : 0);
        }
    }
    _retry(extra = 0) {
        if (this._closing || this._timer)
            return;
        if (this.attempt >= this.client.backoff.maxAttempts) {
            this._closing = true;
            this._setState("failed", { attempts: this.attempt });
            for (const p of this.pending.values())
                p.reject(new Error("gave up reconnecting"));
            this.pending.clear();
            return;
        }
        this._setState("reconnecting");
        const delay = backoffDelay(this.attempt + extra, this.client.backoff);
        this.attempt += 1;
        this._timer = setTimeout(() => {
            this._timer = null;
            void this._open();
        }, delay);
    }
    _signedOut() {
        this._closing = true;
        this._setState("signedout");
    }
    _heartbeat() {
        if (!this.ws || this._pong)
            return;
        const ws = this.ws;
        // No pong within 10 s: a dead path (a frozen node), reconnect elsewhere.
        this._pong = setTimeout(() => {
            this._pong = null;
            this._drop(ws);
        }, 10000);
        const done = () => {
            if (this.ws === ws && this._pong) {
                clearTimeout(this._pong);
                this._pong = null;
            }
        };
        this._request({ op: "ping" }, false).then(done, done);
    }
    _scheduleRenew() {
        if (this._renew)
            clearTimeout(this._renew);
        const tokens = this.client.tokens;
        if (!tokens)
            return;
        const wait = Math.max(5000, tokens.expires_at - Date.now() - 60000);
        this._renew = setTimeout(async () => {
            try {
                const token = await this.client.refresh();
                await this._request({ op: "refresh", token }, false);
                this._scheduleRenew();
            }
            catch {
                /* the socket closes with 4001 at expiry and the close handler takes over */
            }
        }, wait);
    }
    _sendSubscribe(sub, outcome, reconnecting) {
        const frame = { op: "subscribe", channel: sub.channel };
        if (sub.offset !== null)
            frame.since = { offset: sub.offset, epoch: sub.epoch };
        this._request(frame, false).then((reply) => {
            const data = reply;
            const recovered = data.recovered !== false;
            if (sub.offset === null || !recovered) {
                sub.offset = data.offset;
                sub.epoch = data.epoch;
                this._persist(sub);
            }
            else {
                sub.epoch = data.epoch;
            }
            if (!recovered) {
                sub._emit("reload", data);
                if (outcome)
                    outcome.reloaded = true;
            }
            this._subscribed(outcome, reconnecting);
        }, (err) => {
            sub._emit("error", err);
            this._subscribed(outcome, reconnecting);
        });
    }
    _subscribed(outcome, reconnecting) {
        if (!outcome)
            return;
        outcome.waiting -= 1;
        if (outcome.waiting === 0) {
            this._setState("live", {
                resumed: Boolean(reconnecting) && !outcome.reloaded,
                reloaded: outcome.reloaded,
            });
        }
    }
    _request(frame, resend) {
        const ref = String(++this._ref);
        const full = { ...frame, ref };
        return new Promise((resolve, reject) => {
            this.pending.set(ref, { frame: full, resolve, reject, resend });
            if (this.ws && this.ws.readyState === 1)
                this.ws.send(JSON.stringify(full));
            else if (!resend) {
                this.pending.delete(ref);
                reject(new Error("not connected"));
            }
            else
                this.connect();
        });
    }
    _onFrame(frame) {
        if (frame.op === "reply" || frame.op === "pong") {
            const p = frame.ref === null ? undefined : this.pending.get(frame.ref);
            if (!p)
                return;
            this.pending.delete(frame.ref);
            if (frame.op === "pong")
                p.resolve({});
            else if (frame.ok)
                p.resolve(frame.data || {});
            else
                p.reject(new RealtimeError(frame.error.message, frame.error));
            return;
        }
        const sub = this.subs.get(frame.channel);
        if (!sub)
            return;
        if (frame.op === "event")
            sub._deliver(frame);
        else if (frame.op === "signal")
            sub._emit("signal", frame);
        else if (frame.op === "presence_diff")
            sub._emit("presence", frame);
        else if (frame.op === "unsubscribed") {
            this.subs.delete(sub.channel);
            sub.active = false;
            sub._emit("unsubscribed", frame.error);
        }
    }
    /** @internal */
    _unsubscribe(sub) {
        this.subs.delete(sub.channel);
        sub.active = false;
        if (this.state === "live") {
            this._request({ op: "unsubscribe", channel: sub.channel }, false).catch(() => null);
        }
    }
    /** @internal */
    _persist(sub) {
        this.offsets[sub.channel] = { offset: sub.offset, epoch: sub.epoch };
        this.client.storage.setItem(OFFSETS_KEY, JSON.stringify(this.offsets));
    }
}
function wsOrigin() {
    const loc = globalThis.location;
    return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}`;
}
