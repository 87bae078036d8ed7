// The parent app: children, conversations with teachers (live both ways, typing, read ticks),
// published grades with their explained totals, today's attendance, invoices.
import { client, connectionIndicator, el, signOutButton, signedIn, t, todayAt } from "./app.js";

const $ = (id) => document.getElementById(id);
const state = { me: null, child: null, conversation: null, chat: null, messages: new Map(), others: new Map() };

// -- tabs ---------------------------------------------------------------------------------
const TABS = ["messages", "grades", "attendance", "invoices"];
function select(tab) {
  for (const name of TABS) {
    const on = name === tab;
    $(`tab-${name}`).setAttribute("aria-selected", String(on));
    $(`tab-${name}`).tabIndex = on ? 0 : -1;
    $(`panel-${name}`).hidden = !on;
  }
}
function wireTabs() {
  TABS.forEach((name, i) => {
    const tab = $(`tab-${name}`);
    tab.addEventListener("click", () => select(name));
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = TABS[(i + step + TABS.length) % TABS.length];
      select(next);
      $(`tab-${next}`).focus();
    });
  });
}

// -- messages -----------------------------------------------------------------------------
function tick(message) {
  if (message.sender_id !== state.me.person.id) return "";
  const read = [...state.others.values()].some((p) => p.read_seq >= message.seq);
  if (read) return " · ✓✓ read";
  return (message.delivered_to || []).length ? " · ✓ delivered" : " · ✓ sent";
}

function renderMessages() {
  const items = [...state.messages.values()].sort((a, b) => a.seq - b.seq);
  $("messages").replaceChildren(
    ...items.map((m) => {
      const mine = m.sender_id === state.me.person.id;
      const who = mine ? state.me.person.display_name : state.others.get(m.sender_id)?.display_name || "";
      const when = new Date(m.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      return el(
        "li",
        { class: mine ? "mine" : "", dataset: { seq: String(m.seq) } },
        el("span", { class: "body", text: m.body ?? "—" }),
        el("span", { class: "meta", text: `${who} · ${when}${tick(m)}` }),
      );
    }),
  );
  const last = items.at(-1);
  if (last && document.visibilityState === "visible") {
    client.post(`/api/v1/conversations/${state.conversation}/read`, { up_to_seq: last.seq }).catch(() => null);
  }
}

function keep(message) {
  if (!state.messages.has(message.message_id || message.id)) {
    state.messages.set(message.message_id || message.id, { ...message, id: message.message_id || message.id });
  }
}

let typingTimer = null;
async function openConversation(id) {
  if (state.chat) state.chat.unsubscribe();
  state.conversation = id;
  state.messages = new Map();
  // Subscribe first, then load history: a message posted in between comes once either way.
  const chat = client.realtime.subscribe(`chat.conversation.${id}`);
  state.chat = chat;
  chat.on("event", (frame) => {
    if (frame.type === "chat.message_posted") keep(frame.data);
    if (frame.type === "chat.read") {
      const p = state.others.get(frame.data.person_id);
      if (p) p.read_seq = frame.data.read_seq;
    }
    renderMessages();
  });
  chat.on("reload", () => openConversation(id));
  chat.on("signal", (frame) => {
    if (frame.data.person_id === state.me.person.id) return;
    $("typing").textContent = `${frame.data.name} ${t("typing")}`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => ($("typing").textContent = ""), 3000);
  });
  const [conversation, page] = await Promise.all([
    client.get(`/api/v1/conversations/${id}`),
    client.get(`/api/v1/conversations/${id}/messages?limit=50`),
  ]);
  state.others = new Map(
    conversation.participants.filter((p) => p.person_id !== state.me.person.id).map((p) => [p.person_id, p]),
  );
  for (const m of page.items) keep(m);
  renderMessages();
}

async function loadConversations() {
  const page = await client.get("/api/v1/conversations?limit=50");
  const picker = $("conversation-picker");
  if (!page.items.length) {
    picker.replaceChildren(el("option", { value: "", text: t("noConversations") }));
    return;
  }
  picker.replaceChildren(
    ...page.items.map((c) => {
      const names = c.participants.filter((p) => p.person_id !== state.me.person.id).map((p) => p.display_name);
      return el("option", { value: c.id, text: c.title || names.join(", ") });
    }),
  );
  const current = state.conversation && page.items.some((c) => c.id === state.conversation);
  picker.value = current ? state.conversation : page.items[0].id;
  if (!current) await openConversation(picker.value);
}

function wireComposer() {
  $("conversation-picker").addEventListener("change", (e) => openConversation(e.target.value));
  $("message-body").addEventListener("input", () => {
    if (state.chat) client.realtime.typing(state.chat.channel);
  });
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("message-body");
    const body = input.value.trim();
    if (!body || !state.chat) return;
    input.value = "";
    const reply = await client.realtime.send(state.chat.channel, { body });
    keep({ ...reply, id: reply.message_id, body, sender_id: state.me.person.id });
    renderMessages();
  });
}

// -- grades -------------------------------------------------------------------------------
async function loadGrades() {
  const panel = $("panel-grades");
  const child = state.child;
  if (!child.can_view_grades) {
    panel.replaceChildren(el("p", { class: "notice", text: t("gradesNotShared") }));
    return;
  }
  const overview = await client.get(`/api/v1/students/${child.student_id}/grades`);
  if (!overview.sections.length) {
    panel.replaceChildren(el("p", { text: t("noGrades") }));
    return;
  }
  panel.replaceChildren(
    ...overview.sections.map((section) =>
      el(
        "article",
        { class: "grades", dataset: { sectionId: section.section_id } },
        el(
          "table",
          {},
          el("caption", { class: "sr-only", text: t("grades") }),
          el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("grades") }), el("th", { scope: "col", text: "" }))),
          el(
            "tbody",
            {},
            section.results.map((r) =>
              el(
                "tr",
                { class: "grade", dataset: { assessmentId: r.assessment_id } },
                el("td", { text: r.title }),
                el("td", { text: `${r.published?.entered ?? r.published?.points ?? "—"} / ${r.max_points}` }),
              ),
            ),
          ),
        ),
        el("p", {}, el("strong", { text: `${t("total")}: ` }), el("span", { class: "explanation", text: section.total.text })),
      ),
    ),
  );
}

// -- attendance and invoices ----------------------------------------------------------------
async function loadAttendance() {
  const panel = $("panel-attendance");
  const child = state.child;
  if (!child.can_view_attendance) {
    panel.replaceChildren();
    return;
  }
  const day = todayAt(state.me.institution.timezone);
  const report = await client.get(`/api/v1/attendance/reports/students/${child.student_id}?first=${day}&last=${day}`);
  panel.replaceChildren(
    el("h2", { text: t("today") }),
    report.sessions.length
      ? el(
          "ul",
          {},
          report.sessions.map((s) =>
            el("li", {
              text: `${new Date(s.starts_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · ${
                s.category ? t(s.category) : t("unmarked")
              }${s.minutes_late ? ` (${s.minutes_late} ${t("minutesLate")})` : ""}`,
            }),
          ),
        )
      : el("p", { text: t("noMarks") }),
  );
}

async function loadInvoices() {
  const panel = $("panel-invoices");
  if (!state.child.can_view_billing) {
    panel.replaceChildren();
    return;
  }
  const page = await client.get("/api/v1/billing/invoices?limit=50");
  if (!page.items.length) {
    panel.replaceChildren(el("p", { text: t("noInvoices") }));
    return;
  }
  panel.replaceChildren(
    el(
      "table",
      {},
      el("caption", { class: "sr-only", text: t("invoices") }),
      el("thead", {}, el("tr", {}, ["#", t("due"), t("amount"), t("state")].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        page.items.map((i) =>
          el("tr", {}, el("td", { text: i.number || "—" }), el("td", { text: i.due_on }),
            el("td", { text: `${i.amount_due.amount} ${i.currency}` }), el("td", { text: i.status })),
        ),
      ),
    ),
  );
}

async function showChild(studentId) {
  state.child = state.me.children.find((c) => c.student_id === studentId);
  await Promise.all([loadGrades(), loadAttendance(), loadInvoices()]);
}

async function main() {
  const me = await signedIn($("signin"));
  state.me = me;
  signOutButton($("signout"));
  connectionIndicator($("connection"));
  $("app").hidden = false;
  wireTabs();
  wireComposer();
  const picker = $("child-picker");
  picker.replaceChildren(...me.children.map((c) => el("option", { value: c.student_id, text: c.display_name })));
  picker.addEventListener("change", () => showChild(picker.value));
  // The personal inbox: new grades, new conversations and messages elsewhere.
  const inbox = client.realtime.subscribe(`user.${me.person.id}`);
  inbox.on("event", (frame) => {
    if (frame.type === "grades.published" && state.child && frame.data.student_id === state.child.student_id) {
      loadGrades();
    } else if (frame.type === "chat.conversation_started") {
      loadConversations();
    }
  });
  const work = [loadConversations()];
  if (me.children.length) work.push(showChild(me.children[0].student_id));
  await Promise.all(work);
  document.body.dataset.ready = "true";
}

main();
