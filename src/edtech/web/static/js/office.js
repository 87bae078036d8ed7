// The attendance office: the school's sessions today, live (a subscription per session, from
// its board snapshot's offset); which started sessions nobody has taken yet; who is absent
// without a note; the excuse notes waiting for a decision (approve or reject in place).
import { client, connectionIndicator, el, signOutButton, signedIn, t, todayAt } from "./app.js";

const $ = (id) => document.getElementById(id);
const NOTES_EVERY_MS = 30_000; // no event announces a new note to the office: look again

const state = {
  sessions: new Map(), // id -> { session, marks: Map(student_id -> mark), sub }
  names: new Map(), // student_id -> name (from the boards)
  sections: new Map(), // section_id -> label
};

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const sectionLabel = (id) => state.sections.get(id) || t("section");
const counts = (marks) => {
  const c = { present: 0, tardy: 0, absent: 0, excused_absence: 0, early_departure: 0, unmarked: 0 };
  for (const m of marks.values()) c[m.category || "unmarked"] += 1;
  return c;
};

/** Started (or open for scans) and not ended, nobody marked: the teacher has not taken it. */
function untaken(entry, now) {
  const s = entry.session;
  if (s.state === "cancelled" || s.state === "closed" || s.state === "locked") return false;
  if (Date.parse(s.starts_at) > now) return false;
  return [...entry.marks.values()].every((m) => !m.category);
}

function render() {
  const now = Date.now();
  const entries = [...state.sessions.values()].sort(
    (a, b) => Date.parse(a.session.starts_at) - Date.parse(b.session.starts_at),
  );
  $("sessions").tBodies[0].replaceChildren(
    ...entries.map(({ session, marks }) => {
      const c = counts(marks);
      const running = Date.parse(session.starts_at) <= now && now < Date.parse(session.ends_at);
      return el(
        "tr",
        { id: `session-${session.id}`, class: running ? "now" : "", dataset: { state: session.state } },
        el("th", { scope: "row" }, el("a", {
          href: `/app/board?session=${session.id}`,
          text: `${time(session.starts_at)}–${time(session.ends_at)} · ${sectionLabel(session.section_id)}`,
        })),
        el("td", { text: session.state }),
        el("td", { dataset: { count: "present" }, text: String(c.present + c.tardy) }),
        el("td", { dataset: { count: "absent" }, text: String(c.absent) }),
        el("td", { dataset: { count: "unmarked" }, text: String(c.unmarked) }),
      );
    }),
  );
  const notTaken = entries.filter((e) => untaken(e, now));
  $("untaken").replaceChildren(
    ...(notTaken.length
      ? notTaken.map(({ session }) =>
          el("li", { dataset: { sessionId: session.id } }, el("a", {
            href: `/app/board?session=${session.id}`,
            text: `${time(session.starts_at)} · ${sectionLabel(session.section_id)}`,
          })),
        )
      : [el("li", { text: t("allTaken") })]),
  );
  const absent = [];
  for (const { session, marks } of entries) {
    for (const m of marks.values()) {
      if (m.category === "absent") absent.push({ session, mark: m });
    }
  }
  $("unexcused").replaceChildren(
    ...(absent.length
      ? absent.map(({ session, mark }) =>
          el("li", {
            dataset: { studentId: mark.student_id, sessionId: session.id },
            text: `${state.names.get(mark.student_id) || mark.student_id} · ${time(session.starts_at)} ${sectionLabel(session.section_id)}`,
          }),
        )
      : [el("li", { text: t("nobodyAbsent") })]),
  );
  const total = { sessions: entries.length, untaken: notTaken.length, absent: absent.length };
  $("office-tally").replaceChildren(
    ...[["sessionsToday", "sessions"], ["notTaken", "untaken"], ["absentNoNote", "absent"]].map(([label, key]) =>
      el("div", {}, el("dt", { text: t(label) }), el("dd", { dataset: { tally: key }, text: String(total[key]) })),
    ),
  );
}

/** A mark from an event: newer versions only (a REST reload and a late event never undo each other). */
function apply(entry, mark) {
  const known = entry.marks.get(mark.student_id);
  if (known && known.version > mark.version) return;
  entry.marks.set(mark.student_id, { ...known, ...mark });
}

async function follow(session) {
  const board = await client.get(`/api/v1/attendance/sessions/${session.id}/board`);
  const entry = { session: board.session, marks: new Map(), sub: null };
  for (const m of board.marks) {
    entry.marks.set(m.student_id, m);
    if (m.name) state.names.set(m.student_id, m.name);
  }
  state.sessions.set(session.id, entry);
  const sub = client.realtime.subscribe(board.channel.name, { since: board.channel });
  entry.sub = sub;
  sub.on("event", (frame) => {
    if (frame.type === "attendance.scan_recorded" || frame.type === "attendance.mark_changed") {
      apply(entry, frame.data.mark);
    } else if (frame.type === "attendance.session_opened") {
      entry.session = { ...entry.session, state: "open" };
    } else if (frame.type === "attendance.session_locked") {
      entry.session = { ...entry.session, state: "locked" };
    } else if (frame.type === "attendance.session_closed") {
      entry.session = { ...entry.session, state: "closed" };
    } else if (frame.type === "attendance.session_cancelled") {
      entry.session = { ...entry.session, state: "cancelled" };
    }
    render();
  });
  sub.on("reload", async () => {
    const fresh = await client.get(`/api/v1/attendance/sessions/${session.id}/board`);
    entry.session = fresh.session;
    for (const m of fresh.marks) apply(entry, m);
    sub.reset(fresh.channel.offset, fresh.channel.epoch);
    render();
  });
}

// -- excuse notes ---------------------------------------------------------------------------
async function decide(note, approve, item) {
  for (const b of item.querySelectorAll("button")) b.disabled = true;
  try {
    await client.post(`/api/v1/attendance/excuses/${note.id}/decision`, { approve });
    item.remove();
    if (!$("notes").children.length) await loadNotes();
  } catch (err) {
    $("office-message").textContent = err.message;
    $("office-message").hidden = false;
    await loadNotes();
  }
}

let notesTimer = null;
async function loadNotes() {
  clearTimeout(notesTimer);
  notesTimer = setTimeout(loadNotes, NOTES_EVERY_MS);
  const page = await client.get("/api/v1/attendance/excuses?state=pending&limit=100");
  $("notes").replaceChildren(
    ...(page.items.length
      ? page.items.map((note) => {
          const who = state.names.get(note.student_id) || note.student_id;
          const days = note.starts_on === note.ends_on ? note.starts_on : `${note.starts_on} – ${note.ends_on}`;
          const item = el(
            "li",
            { class: "note", dataset: { excuseId: note.id, studentId: note.student_id } },
            el("p", {}, el("strong", { text: who }), el("span", { text: ` · ${days}` })),
            el("p", { class: "reason", text: note.reason }),
          );
          item.append(
            el("button", { type: "button", text: t("approve"), "aria-label": `${t("approve")}: ${who}`, onclick: () => decide(note, true, item) }),
            " ",
            el("button", {
              type: "button", class: "secondary", text: t("reject"),
              "aria-label": `${t("reject")}: ${who}`, onclick: () => decide(note, false, item),
            }),
          );
          return item;
        })
      : [el("li", { text: t("noPendingNotes") })]),
  );
}

async function main() {
  const me = await signedIn($("signin"));
  signOutButton($("signout"));
  connectionIndicator($("connection"));
  $("office").hidden = false;
  const day = todayAt(me.institution.timezone);
  let sessions;
  try {
    sessions = (await client.get(`/api/v1/attendance/sessions?date=${day}&limit=200`)).items;
  } catch (err) {
    $("office-message").textContent = err.message;
    $("office-message").hidden = false;
    return;
  }
  const sections = await client.get("/api/v1/sections?limit=200").catch(() => ({ items: [] }));
  for (const s of sections.items) state.sections.set(s.id, s.code ? `${s.code} ${s.title}` : s.title);
  await Promise.all(sessions.map(follow));
  render();
  await loadNotes();
  setInterval(render, 60_000); // "now" moves on
  document.body.dataset.ready = "true";
}

main();
