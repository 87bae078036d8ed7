// The socket's life without a server (a scripted WebSocket): it always ends. A socket that never
// opens is dropped, a silent one too, a reconnect loop gives up after its attempts, and close()
// leaves nothing behind, even when it lands while a token is being refreshed. Each test has its
// own timeout: a regression fails by name instead of hanging the runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { EdtechClient } from "../dist/edtech.js";

const LIMIT = { timeout: 10_000 };

/** A WebSocket class whose sockets open when `opens(n)` says so (n: 1 for the first socket). */
function scriptedSockets(opens = () => false) {
  const made = [];
  class FakeSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.sent = [];
      made.push(this);
      if (opens(made.length)) setTimeout(() => this.readyState === 0 && this.open(), 0);
    }
    open() {
      this.readyState = 1;
      this.onopen?.({});
    }
    send(data) {
      this.sent.push(JSON.parse(data));
    }
    reply(frame) {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }
    close(code = 1000) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      setTimeout(() => this.onclose?.({ code }), 0);
    }
  }
  return { made, FakeSocket };
}

function signedInClient(FakeSocket, options = {}) {
  const client = new EdtechClient({
    baseUrl: "http://x",
    WebSocket: FakeSocket,
    fetch: async () => ({ ok: true, status: 200, json: async () => ({}) }),
    backoff: { base: 1, cap: 5, ...(options.backoff || {}) },
    ...options,
  });
  client.useTokens({ access_token: "a", refresh_token: "r", expires_in: 900, refresh_expires_in: 9000 });
  return client;
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

async function until(predicate, what, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

test("a socket that never opens is dropped after connectTimeout and another is tried", LIMIT, async () => {
  const { made, FakeSocket } = scriptedSockets((n) => n === 2);
  const client = signedInClient(FakeSocket, { connectTimeout: 50 });
  try {
    client.realtime.subscribe("user.1");
    await until(() => made.length === 2 && made[1].sent.length === 1, "the second socket's subscribe");
    assert.equal(made[0].readyState, 3, "the first one was closed");
    assert.deepEqual(made[0].sent, [], "nothing went through the one that never opened");
    assert.equal(made[1].sent[0].op, "subscribe");
    await tick(80);
    assert.equal(made.length, 2, "an open socket is not dropped");
  } finally {
    client.realtime.close();
  }
});

test("the reconnect loop gives up after maxAttempts: state failed, no socket after", LIMIT, async () => {
  const { made, FakeSocket } = scriptedSockets();
  const client = signedInClient(FakeSocket, { connectTimeout: 10_000, backoff: { maxAttempts: 3 } });
  const states = [];
  client.realtime.addEventListener("state", (e) => states.push(e.detail.state));
  client.realtime.subscribe("user.1");
  for (let n = 1; n <= 4; n += 1) {
    await until(() => made.length === n || states.includes("failed"), `attempt ${n}`);
    if (states.includes("failed")) break;
    made.at(-1).close(1006); // refused every time
  }
  await until(() => states.includes("failed"), "failed");
  assert.equal(made.length, 4, "the first try and three reconnections");
  await tick(30);
  assert.equal(made.length, 4, "nothing after giving up");
  assert.equal(client.realtime.state, "failed");
});

test("close() during a token refresh opens no socket afterwards", LIMIT, async () => {
  const { made, FakeSocket } = scriptedSockets();
  let answer;
  const client = new EdtechClient({
    baseUrl: "http://x",
    WebSocket: FakeSocket,
    fetch: () => new Promise((resolve) => (answer = resolve)),
  });
  // An expired access token: connecting refreshes first, and the refresh waits for `answer`.
  client.useTokens({ access_token: "a", refresh_token: "r", expires_in: 0, refresh_expires_in: 9000 });
  client.realtime.subscribe("user.1");
  await until(() => answer, "the refresh request");
  client.realtime.close();
  const pair = { access_token: "b", refresh_token: "s", expires_in: 900, refresh_expires_in: 9000 };
  answer({ ok: true, status: 200, json: async () => pair });
  await tick(30);
  assert.equal(made.length, 0);
  assert.equal(client.realtime.state, "closed");
});

test("subscribing twice while connecting opens one socket", LIMIT, async () => {
  const { made, FakeSocket } = scriptedSockets();
  const client = signedInClient(FakeSocket);
  try {
    client.realtime.subscribe("user.1");
    client.realtime.subscribe("user.2");
    await tick(20);
    assert.equal(made.length, 1);
    made[0].open();
    assert.deepEqual(
      made[0].sent.map((f) => f.channel),
      ["user.1", "user.2"],
    );
  } finally {
    client.realtime.close();
  }
});

test("close() ends the socket, the pending requests and every timer", LIMIT, async () => {
  const { made, FakeSocket } = scriptedSockets();
  const client = signedInClient(FakeSocket);
  client.realtime.subscribe("chat.conversation.1");
  await until(() => made.length === 1, "a socket");
  made[0].open();
  const sending = client.realtime.send("chat.conversation.1", { body: "hi" });
  client.realtime.close();
  await assert.rejects(sending, /closed/);
  assert.equal(made[0].readyState, 3);
  const r = client.realtime;
  for (const timer of [r._timer, r._ping, r._pong, r._renew, r._opening]) assert.equal(timer, null);
  await tick(30);
  assert.equal(made.length, 1, "no reconnection after close");
});

test("typing is sent only while live; signals and presence diffs reach the subscription", LIMIT, async () => {
  const { made, FakeSocket } = scriptedSockets();
  const client = signedInClient(FakeSocket);
  try {
    const sub = client.realtime.subscribe("chat.conversation.1");
    assert.equal(await client.realtime.typing("chat.conversation.1"), null, "not live: nothing sent");
    await until(() => made.length === 1, "a socket");
    const ws = made[0];
    ws.open();
    ws.reply({ op: "reply", ref: ws.sent[0].ref, ok: true, data: { channel: "chat.conversation.1", epoch: "e", offset: 4 } });
    await until(() => client.realtime.state === "live", "live");
    const typing = client.realtime.typing("chat.conversation.1");
    const frame = ws.sent.at(-1);
    assert.deepEqual({ op: frame.op, channel: frame.channel }, { op: "typing", channel: "chat.conversation.1" });
    ws.reply({ op: "reply", ref: frame.ref, ok: true, data: {} });
    assert.deepEqual(await typing, {});

    const asking = client.realtime.presence("chat.conversation.1");
    const ask = ws.sent.at(-1);
    assert.equal(ask.op, "presence");
    const members = [{ person_id: "p1", name: "Ana" }];
    ws.reply({ op: "reply", ref: ask.ref, ok: true, data: { channel: "chat.conversation.1", count: 1, members } });
    assert.deepEqual((await asking).members, members);

    const seen = [];
    sub.on("signal", (s) => seen.push(["signal", s.data.person_id]));
    sub.on("presence", (d) => seen.push(["presence", d.joins.length, d.leaves.length]));
    sub.on("event", () => seen.push(["event"]));
    ws.reply({ op: "signal", channel: "chat.conversation.1", type: "typing", data: { person_id: "p1", name: "Ana" } });
    ws.reply({ op: "presence_diff", channel: "chat.conversation.1", joins: members, leaves: [] });
    ws.reply({ op: "signal", channel: "chat.conversation.2", type: "typing", data: { person_id: "p9", name: "X" } });
    assert.deepEqual(seen, [["signal", "p1"], ["presence", 1, 0]]);
    assert.equal(sub.offset, 4, "signals and diffs move no offset");

    // A refused presence (not a presence channel) rejects with the server's code.
    const refused = client.realtime.presence("chat.conversation.1");
    ws.reply({ op: "reply", ref: ws.sent.at(-1).ref, ok: false, error: { code: "not_supported", message: "no" } });
    await assert.rejects(refused, (err) => err.code === "not_supported");
  } finally {
    client.realtime.close();
  }
});
