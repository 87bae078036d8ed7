// The client's rules without a server: backoff bounds, close-code actions, refresh serialised.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CloseCodes, EdtechClient, backoffDelay, closeAction } from "../dist/edtech.js";

test("full-jitter backoff stays within [0, min(cap, base * 2^attempt))", () => {
  assert.equal(backoffDelay(0, { base: 500, random: () => 0.999 }), 499);
  assert.equal(backoffDelay(3, { base: 500, random: () => 0.5 }), 2000);
  assert.equal(backoffDelay(30, { base: 500, cap: 15000, random: () => 0.999 }), 14985);
  assert.equal(backoffDelay(5, { random: () => 0 }), 0);
});

test("close codes map to actions", () => {
  assert.equal(closeAction(CloseCodes.AUTH_FAILED), "refresh");
  assert.equal(closeAction(CloseCodes.POLICY_VIOLATION), "backoff");
  for (const code of [1006, CloseCodes.SERVER_RESTART, CloseCodes.SLOW_CONSUMER]) {
    assert.equal(closeAction(code), "reconnect");
  }
});

function fakeServer() {
  const calls = [];
  let n = 0;
  const fetch = async (url, init) => {
    calls.push({ url, body: init.body });
    await new Promise((r) => setTimeout(r, 20));
    n += 1;
    const pair = { access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 900, refresh_expires_in: 9000 };
    return { ok: true, status: 200, json: async () => pair };
  };
  return { calls, fetch };
}

test("concurrent refreshes share one request and never send a refresh token twice", async () => {
  const server = fakeServer();
  const client = new EdtechClient({ baseUrl: "http://x", fetch: server.fetch });
  await client.signIn("t@x", "pw");
  const results = await Promise.all([client.refresh(), client.refresh(), client.refresh()]);
  assert.deepEqual(results, ["a2", "a2", "a2"]);
  await client.refresh();
  const sent = server.calls.filter((c) => c.url.endsWith("/refresh")).map((c) => JSON.parse(c.body).refresh_token);
  assert.deepEqual(sent, ["r1", "r2"]);
});

test("a refused refresh signs out", async () => {
  const client = new EdtechClient({
    baseUrl: "http://x",
    fetch: async () => ({ ok: false, status: 401, json: async () => ({ title: "no" }) }),
  });
  client.useTokens({ access_token: "a", refresh_token: "r", expires_in: 900, refresh_expires_in: 9 });
  let signedOut = false;
  client.addEventListener("signedout", () => (signedOut = true));
  await assert.rejects(client.refresh());
  assert.equal(client.signedIn, false);
  assert.equal(signedOut, true);
});
