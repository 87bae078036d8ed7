// Against a real edtech deployment the Python suite starts (tests/e2e/web): two nodes behind
// Caddy. The client follows a teacher's board; the node holding its socket is killed mid-stream;
// the client resumes on the other node and ends with every scan, each offset once.
// Needs EDTECH_TEST_URL (Caddy), EDTECH_TEST_NODES ("url=pid,url=pid"), else it is skipped.
//
// Nothing here can hang: every request has a time limit, every wait a deadline, the test its own
// timeout (so a failure names the test), and the client and the frozen node are released in a
// `finally` whatever happened (an open socket or a reconnect timer would keep Node alive).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { EdtechClient } from "../dist/edtech.js";

const URL_ = process.env.EDTECH_TEST_URL;
const NODES = (process.env.EDTECH_TEST_NODES || "").split(",").filter(Boolean).map((e) => e.split("="));
const CARDS = (process.env.EDTECH_TEST_CARDS || "").split(",").filter(Boolean);
const REQUEST_MS = 10_000;

function fetchWithin(url, init = {}) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_MS) });
}

async function scan(base, card) {
  const body = { scans: [{ id: randomUUID(), credential: card, scanned_at: new Date().toISOString() }] };
  const r = await fetchWithin(`${base}/api/v1/attendance/scans`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Device-Key": "demo-scanner-key" },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, await r.text());
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sockets(nodeUrl) {
  const text = await (await fetchWithin(`${nodeUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("edtech_ws_connections "));
  return Number(line.split(" ")[1]);
}

const socketCounts = () => Promise.all(NODES.map(([url]) => sockets(url)));

async function signedIn(email) {
  const client = new EdtechClient({
    baseUrl: URL_,
    backoff: { base: 200, cap: 2000, maxAttempts: 40 },
    connectTimeout: 5_000,
    requestTimeout: REQUEST_MS,
  });
  await client.signIn(email, "edtech-demo");
  return client;
}

test(
  "presence and typing: teacher and guardian in their conversation see each other",
  { skip: !URL_, timeout: 60_000 },
  async () => {
    const teacher = await signedIn("teacher1@demo.test");
    let guardian = null;
    try {
      guardian = await signedIn("guardian1@demo.test");
      const guardianMe = await guardian.get("/api/v1/me");
      const teacherMe = await teacher.get("/api/v1/me");
      const conversations = await teacher.get("/api/v1/conversations?limit=100");
      const conversation = conversations.items.find((c) =>
        c.participants.some((p) => p.person_id === guardianMe.person.id),
      );
      assert.ok(conversation, "the demo conversation of teacher1 and guardian1");
      const channel = `chat.conversation.${conversation.id}`;

      const signals = [];
      const joins = [];
      const mine = guardian.realtime.subscribe(channel);
      mine.on("signal", (frame) => signals.push(frame));
      mine.on("presence", (diff) => joins.push(...diff.joins.map((m) => m.person_id)));
      await until(() => guardian.realtime.state === "live", 15_000, "the guardian live");
      teacher.realtime.subscribe(channel);
      await until(() => teacher.realtime.state === "live", 15_000, "the teacher live");

      // Presence: each is a member; the guardian was told the teacher came.
      const seen = await until(
        async () => {
          const now = await teacher.realtime.presence(channel);
          const ids = (now.members || []).map((m) => m.person_id);
          return ids.includes(guardianMe.person.id) && ids.includes(teacherMe.person.id) ? now : null;
        },
        10_000,
        "both in the teacher's presence answer",
      );
      assert.ok(seen.count >= 2, JSON.stringify(seen));
      await until(() => joins.includes(teacherMe.person.id), 10_000, "the teacher's join");

      // Typing: the teacher types; the guardian gets a signal naming the teacher (not an event).
      const before = mine.offset;
      await teacher.realtime.typing(channel);
      await until(() => signals.length > 0, 10_000, "a typing signal");
      assert.equal(signals[0].type, "typing");
      assert.equal(signals[0].data.person_id, teacherMe.person.id);
      assert.equal(mine.offset, before, "a signal is no event: the channel's offset stays");
    } finally {
      teacher.realtime.close();
      if (guardian) guardian.realtime.close();
    }
  },
);

test(
  "the client resumes on another node after its node is killed, losing nothing",
  { skip: !URL_, timeout: 100_000 },
  async () => {
    // Sockets of the pages tested before close on their own: start from none, so the one node
    // holding a socket afterwards is the one holding ours.
    // (A node still starting refuses the look: wait for it too.)
    const settled = async () => (await socketCounts().catch(() => [NaN])).every((n) => n === 0);
    await until(settled, 15_000, "both nodes up, no socket open");
    const client = await signedIn("teacher1@demo.test");
    let frozen = null;
    try {
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
      await until(() => client.realtime.state === "live", 15_000, "live");

      for (const card of CARDS.slice(0, 3)) await scan(URL_, card);
      await until(() => scans.length === 3, 10_000, "three live scans");

      const counts = await until(
        async () => {
          const now = await socketCounts();
          return now.reduce((a, b) => a + b, 0) === 1 ? now : null;
        },
        10_000,
        "exactly one open socket (ours)",
      );
      const holder = counts.indexOf(1);
      const [, pid] = NODES[holder];
      const [survivor] = NODES[1 - holder];
      frozen = Number(pid);
      process.kill(frozen, "SIGSTOP"); // frozen: it delivers nothing more
      for (const card of CARDS.slice(3, 6)) await scan(survivor, card);
      process.kill(frozen, "SIGKILL");
      frozen = null;

      await until(() => scans.length === 6, 30_000, "the three scans posted while the node died");
      assert.equal(new Set(scans).size, 6, "each scan once");
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), "in order");
      assert.equal(new Set(offsets).size, offsets.length, "no offset twice");
      const final = await client.get(`/api/v1/attendance/sessions/${session.id}/board`);
      assert.deepEqual(offsets.at(-1), final.channel.offset);
      assert.ok(states.some((s) => s.state === "reconnecting"));
      assert.ok(states.some((s) => s.state === "live" && s.resumed), JSON.stringify(states));
    } finally {
      client.realtime.close();
      // A node left stopped would hang every request Caddy sends it: never leave it so.
      if (frozen !== null) process.kill(frozen, "SIGKILL");
    }
  },
);
