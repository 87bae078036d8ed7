// Against a real edtech deployment the Python suite starts (tests/e2e/web): two nodes behind
// Caddy. The client follows a teacher's board; the node holding its socket is killed mid-stream;
// the client resumes on the other node and ends with every scan, each offset once.
// Needs EDTECH_TEST_URL (Caddy), EDTECH_TEST_NODES ("url=pid,url=pid"), else it is skipped.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { EdtechClient } from "../src/edtech.js";

const URL_ = process.env.EDTECH_TEST_URL;
const NODES = (process.env.EDTECH_TEST_NODES || "").split(",").filter(Boolean).map((e) => e.split("="));
const CARDS = (process.env.EDTECH_TEST_CARDS || "").split(",").filter(Boolean);

async function scan(base, card) {
  const body = { scans: [{ id: randomUUID(), credential: card, scanned_at: new Date().toISOString() }] };
  const r = await fetch(`${base}/api/v1/attendance/scans`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Device-Key": "demo-scanner-key" },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, await r.text());
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sockets(nodeUrl) {
  const text = await (await fetch(`${nodeUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("edtech_ws_connections "));
  return Number(line.split(" ")[1]);
}

test("the client resumes on another node after its node is killed, losing nothing", { skip: !URL_ }, async () => {
  const client = new EdtechClient({ baseUrl: URL_, backoff: { base: 200, cap: 2000 } });
  await client.signIn("teacher1@demo.test", "edtech-demo");
  const me = await client.get("/api/v1/me");
  const now = Date.now();
  const session = await client.post("/api/v1/attendance/sessions", {
    section_id: me.sections[0].section_id,
    starts_at: new Date(now + 239 * 60000).toISOString(),
    ends_at: new Date(now + 285 * 60000).toISOString(),
    opens_before_minutes: 240,
  });
  const board = await client.get(`/api/v1/attendance/sessions/${session.id}/board`);
  const offsets = [];
  const scans = [];
  const states = [];
  client.realtime.addEventListener("state", (e) => states.push(e.detail));
  const sub = client.realtime.subscribe(board.channel.name, { since: board.channel });
  sub.on("event", (frame) => {
    offsets.push(frame.offset);
    if (frame.type === "attendance.scan_recorded") scans.push(frame.data.student_id);
  });
  await until(() => client.realtime.state === "live", 15000, "live");

  for (const card of CARDS.slice(0, 3)) await scan(URL_, card);
  await until(() => scans.length === 3, 10000, "three live scans");

  const counts = await Promise.all(NODES.map(([url]) => sockets(url)));
  const holder = counts.indexOf(1);
  assert.notEqual(holder, -1, `no node holds exactly our socket: ${counts}`);
  const [, pid] = NODES[holder];
  const [survivor] = NODES[1 - holder];
  process.kill(Number(pid), "SIGSTOP"); // frozen: it delivers nothing more
  for (const card of CARDS.slice(3, 6)) await scan(survivor, card);
  process.kill(Number(pid), "SIGKILL");

  await until(() => scans.length === 6, 30000, "the three scans posted while the node died");
  assert.equal(new Set(scans).size, 6, "each scan once");
  assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), "in order");
  assert.equal(new Set(offsets).size, offsets.length, "no offset twice");
  const final = await client.get(`/api/v1/attendance/sessions/${session.id}/board`);
  assert.deepEqual(offsets.at(-1), final.channel.offset);
  assert.ok(states.some((s) => s.state === "reconnecting"));
  assert.ok(states.some((s) => s.state === "live" && s.resumed), JSON.stringify(states));
  client.realtime.close();
});
