// The teacher's live board: today's sessions of the teacher's sections, a tile per student
// that turns present or late as scans arrive, the tally, who is still missing, marking by hand.
import { client, connectionIndicator, el, signOutButton, signedIn, t, todayAt } from "./app.js";

const $ = (id) => document.getElementById(id);
const CATEGORIES = ["present", "tardy", "absent", "excused_absence", "early_departure"];

const state = { session: null, marks: new Map(), sub: null, codes: [], seen: 0, scans: 0 };

/** Where the board stands in its channel, and how many events it applied (each offset once). */
function showPosition(offset) {
  const node = $("position");
  node.dataset.offset = String(offset);
  node.dataset.events = String(state.seen);
  node.dataset.scans = String(state.scans);
  node.textContent = `${t("position")} ${offset}`;
}

function initials(name) {
  return (name || "?").split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
}

function stateText(mark) {
  if (!mark.category) return t("unmarked");
  if (mark.category === "tardy" && mark.minutes_late) {
    return `${t("tardy")} · ${mark.minutes_late} ${t("minutesLate")}`;
  }
  return t(mark.category);
}

function tile(mark) {
  return el(
    "li",
    {},
    el(
      "button",
      {
        type: "button",
        class: "tile",
        id: `tile-${mark.student_id}`,
        dataset: { studentId: mark.student_id, category: mark.category || "unmarked" },
        onclick: () => {
          $("mark-student").value = mark.student_id;
          $("mark-code").focus();
        },
      },
      el("span", { class: "photo", "aria-hidden": "true", text: initials(mark.name) }),
      el("span", {}, el("span", { class: "name", text: mark.name || mark.student_id }),
        el("span", { class: "state", text: stateText(mark) })),
    ),
  );
}

function renderTally() {
  const counts = { expected: state.marks.size, unmarked: 0 };
  for (const c of CATEGORIES) counts[c] = 0;
  for (const mark of state.marks.values()) counts[mark.category || "unmarked"] += 1;
  const shown = ["expected", "present", "tardy", "absent", "unmarked"];
  $("tally").replaceChildren(
    ...shown.map((key) =>
      el("div", {}, el("dt", { text: t(key) }), el("dd", { dataset: { tally: key }, text: String(counts[key]) })),
    ),
  );
}

function renderMissing() {
  const missing = [...state.marks.values()].filter((m) => !m.category);
  $("missing").replaceChildren(
    ...(missing.length
      ? missing.map((m) => el("li", { dataset: { studentId: m.student_id }, text: m.name || m.student_id }))
      : [el("li", { text: t("nobodyMissing") })]),
  );
}

function renderAll() {
  $("grid").replaceChildren(...[...state.marks.values()].map(tile));
  $("mark-student").replaceChildren(
    ...[...state.marks.values()].map((m) => el("option", { value: m.student_id, text: m.name || m.student_id })),
  );
  renderTally();
  renderMissing();
}

/** Names for tiles that came from events (the live marks stay as they are: a reload answered
 * before a later scan's event must not turn that tile back). */
async function fillNames(sessionId) {
  const board = await client.get(`/api/v1/attendance/sessions/${sessionId}/board`);
  if (!state.session || state.session.id !== sessionId) return;
  for (const m of board.marks) {
    const known = state.marks.get(m.student_id);
    if (known && !known.name) state.marks.set(m.student_id, { ...known, name: m.name });
  }
  renderAll();
}

/** A student joined the section's roster (their unmarked tile appears at once, its name follows)
 * or left it (their unmarked tile goes; a recorded mark is never removed). */
function rosterChanged(data, sessionId) {
  if (data.change === "added" && data.mark && !state.marks.has(data.student_id)) {
    state.marks.set(data.student_id, data.mark);
    renderAll();
    fillNames(sessionId).catch(() => null);
  } else if (data.change === "removed" && state.marks.delete(data.student_id)) {
    renderAll();
  }
}

/** A mark from an event or a PUT: newer versions only, so a late echo never turns a tile back. */
function apply(mark) {
  const known = state.marks.get(mark.student_id);
  if (!known) return; // not on this roster (yet: attendance.roster_changed adds the tile)
  if (known.version > mark.version) return;
  const next = { ...known, ...mark, name: known.name };
  state.marks.set(mark.student_id, next);
  const old = $(`tile-${mark.student_id}`);
  if (old) old.parentElement.replaceWith(tile(next));
  renderTally();
  renderMissing();
}

async function loadBoard(sessionId) {
  const board = await client.get(`/api/v1/attendance/sessions/${sessionId}/board`);
  state.session = board.session;
  state.marks = new Map(board.marks.map((m) => [m.student_id, m]));
  renderAll();
  return board;
}

async function open(sessionId) {
  if (state.sub) state.sub.unsubscribe();
  const board = await loadBoard(sessionId);
  const sub = client.realtime.subscribe(board.channel.name, { since: board.channel });
  state.sub = sub;
  state.seen = 0;
  state.scans = 0;
  showPosition(board.channel.offset);
  sub.on("event", (frame) => {
    state.seen += 1;
    if (frame.type === "attendance.scan_recorded") state.scans += 1;
    showPosition(frame.offset);
    if (frame.type === "attendance.scan_recorded" || frame.type === "attendance.mark_changed") {
      apply(frame.data.mark);
    } else if (frame.type === "attendance.roster_changed") {
      rosterChanged(frame.data, sessionId);
    } else if (frame.type === "attendance.session_closed") {
      loadBoard(sessionId); // every unmarked student turned absent at once
    }
  });
  sub.on("reload", async () => {
    const fresh = await loadBoard(sessionId);
    sub.reset(fresh.channel.offset, fresh.channel.epoch);
    showPosition(fresh.channel.offset);
  });
  const url = new URL(location.href);
  url.searchParams.set("session", sessionId);
  history.replaceState(null, "", url);
}

function sessionLabel(s) {
  const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `${time(s.starts_at)}–${time(s.ends_at)} · ${s.state}`;
}

async function markByHand(event) {
  event.preventDefault();
  const message = $("board-message");
  message.hidden = true;
  const studentId = $("mark-student").value;
  const mark = state.marks.get(studentId);
  try {
    const saved = await client.put(
      `/api/v1/attendance/sessions/${state.session.id}/marks/${studentId}`,
      { code: $("mark-code").value, version: mark.version },
    );
    apply(saved);
  } catch (err) {
    message.textContent = err.status === 409 ? t("conflict") : err.message;
    message.hidden = false;
    if (err.status === 409) await loadBoard(state.session.id);
  }
}

// -- the rotating QR code, full screen for a projector ----------------------------------------
let qrTimer = null;

async function showQr() {
  clearTimeout(qrTimer);
  const box = $("qr");
  if (box.hidden || !state.session) return;
  try {
    const qr = await client.get(`/api/v1/attendance/sessions/${state.session.id}/qr`);
    const code = globalThis.qrcode(0, "M");
    code.addData(qr.token);
    code.make();
    $("qr-image").src = code.createDataURL(8, 4);
    const until = new Date(qr.expires_at);
    $("qr-expiry").textContent = `${t("qrUntil")} ${until.toLocaleTimeString()}`;
    qrTimer = setTimeout(showQr, Math.max(1000, until - Date.now() - 1000));
  } catch (err) {
    closeQr();
    $("board-message").textContent = err.message;
    $("board-message").hidden = false;
  }
}

function openQr() {
  const box = $("qr");
  box.hidden = false;
  if (box.requestFullscreen) box.requestFullscreen().catch(() => null);
  $("qr-close").focus();
  showQr();
}

function closeQr() {
  clearTimeout(qrTimer);
  $("qr").hidden = true;
  if (document.fullscreenElement) document.exitFullscreen().catch(() => null);
  $("qr-open").focus();
}

async function main() {
  const me = await signedIn($("signin"));
  signOutButton($("signout"));
  connectionIndicator($("connection"));
  const day = todayAt(me.institution.timezone);
  const sessions = (await client.get(`/api/v1/attendance/sessions?date=${day}&limit=200`)).items;
  const wanted = new URL(location.href).searchParams.get("session");
  if (wanted && !sessions.some((s) => s.id === wanted)) {
    sessions.push(await client.get(`/api/v1/attendance/sessions/${wanted}`));
  }
  $("board").hidden = false;
  if (!sessions.length) {
    $("board-message").textContent = t("noSessions");
    $("board-message").hidden = false;
    return;
  }
  const now = Date.now();
  const current = sessions.find((s) => Date.parse(s.opens_at) <= now && now < Date.parse(s.closes_at));
  const chosen = wanted || (current || sessions[0]).id;
  const picker = $("session-picker");
  picker.replaceChildren(...sessions.map((s) => el("option", { value: s.id, text: sessionLabel(s) })));
  picker.value = chosen;
  picker.addEventListener("change", () => open(picker.value));
  state.codes = await client.get("/api/v1/attendance/codes");
  $("mark-code").replaceChildren(
    ...state.codes.filter((c) => c.is_active).map((c) => el("option", { value: c.code, text: `${c.code} · ${c.name}` })),
  );
  $("mark-form").addEventListener("submit", markByHand);
  $("qr-open").addEventListener("click", openQr);
  $("qr-close").addEventListener("click", closeQr);
  $("qr").addEventListener("keydown", (e) => e.key === "Escape" && closeQr());
  await open(chosen);
}

main();
