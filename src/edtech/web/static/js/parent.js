// The parent app: children, conversations with teachers (live both ways, typing, read ticks),
// published grades with their explained totals, today's attendance with "send a note" (an
// excuse note for the office), invoices, announcements with acknowledgement.
import { client, connectionIndicator, el, signOutButton, signedIn, t, todayAt } from "./app.js";

const $ = (id) => document.getElementById(id);
const state = { me: null, child: null, conversation: null, chat: null, messages: new Map(), others: new Map() };

// -- tabs ---------------------------------------------------------------------------------
const TABS = ["messages", "grades", "attendance", "invoices", "announcements"];
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
  const [report, notes] = await Promise.all([
    client.get(`/api/v1/attendance/reports/students/${child.student_id}?first=${day}&last=${day}`),
    client.get(`/api/v1/attendance/excuses?student_id=${child.student_id}&limit=20`),
  ]);
  panel.replaceChildren(
    el("h2", { text: t("today") }),
    report.sessions.length
      ? el(
          "ul",
          { id: "today-marks" },
          report.sessions.map((s) =>
            el("li", {
              dataset: { category: s.category || "unmarked" },
              text: `${new Date(s.starts_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · ${
                s.category ? t(s.category) : t("unmarked")
              }${s.minutes_late ? ` (${s.minutes_late} ${t("minutesLate")})` : ""}`,
            }),
          ),
        )
      : el("p", { text: t("noMarks") }),
    noteForm(child, day),
    el("h2", { id: "notes-title", text: t("myNotes") }),
    el(
      "ul",
      { id: "my-notes", class: "notes", "aria-labelledby": "notes-title" },
      notes.items.map((n) =>
        el(
          "li",
          { dataset: { excuseId: n.id, state: n.state } },
          el("p", {}, el("strong", { text: t(n.state) }), el("span", {
            text: ` · ${n.starts_on === n.ends_on ? n.starts_on : `${n.starts_on} – ${n.ends_on}`}`,
          })),
          el("p", { text: n.reason }),
          n.note ? el("p", { class: "meta", text: n.note }) : null,
        ),
      ),
    ),
  );
}

/** "Send a note": an absence note for the office, for today unless changed. */
function noteForm(child, day) {
  const status = el("p", { id: "note-status", role: "status" });
  const form = el("form", { id: "note-form", class: "note-form", "aria-labelledby": "note-title" });
  const field = (id, label, attrs, cls) =>
    el("div", { class: cls || null }, el("label", { for: id, text: label }), el("input", { id, ...attrs }));
  form.append(
    field("note-from", t("noteFrom"), { name: "from", type: "date", value: day, required: true }),
    field("note-to", t("noteTo"), { name: "to", type: "date", value: day, required: true }),
    field("note-reason", t("noteReason"), { name: "reason", maxlength: "2000", required: true }, "reason"),
    el("button", { type: "submit", text: t("sendNote") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    status.className = "";
    try {
      await client.post("/api/v1/attendance/excuses", {
        student_id: child.student_id,
        starts_on: form.from.value,
        ends_on: form.to.value,
        reason: form.reason.value.trim(),
      });
      await loadAttendance();
      $("note-status").textContent = t("noteSent");
    } catch (err) {
      status.textContent = err.message;
      status.className = "error";
    }
  });
  return el("div", {}, el("h2", { id: "note-title", text: t("sendNote") }), form, status);
}

// -- announcements --------------------------------------------------------------------------
async function loadAnnouncements() {
  const page = await client.get("/api/v1/announcements?limit=50");
  $("announcements").replaceChildren(
    ...(page.items.length
      ? page.items.map((a) => {
          const item = el(
            "li",
            { dataset: { announcementId: a.id, priority: a.priority } },
            el("h3", { text: a.title }),
            el("p", { text: a.body }),
            el("p", { class: "meta", text: new Date(a.published_at || a.publish_at).toLocaleString() }),
          );
          if (a.requires_ack && a.acknowledged_at) {
            item.append(el("p", { class: "acknowledged", text: `✓ ${t("acknowledged")}` }));
          } else if (a.requires_ack) {
            const button = el("button", {
              type: "button",
              class: "acknowledge",
              text: t("acknowledge"),
              "aria-label": `${t("acknowledge")}: ${a.title}`,
            });
            button.addEventListener("click", async () => {
              button.disabled = true;
              try {
                await client.post(`/api/v1/announcements/${a.id}/acknowledge`);
              } finally {
                await loadAnnouncements();
              }
            });
            item.append(el("p", { class: "meta", text: t("ackRequired") }), button);
          }
          return item;
        })
      : [el("li", { text: t("noAnnouncements") })]),
  );
}

async function loadInvoices() {
  const panel = $("panel-invoices");
  if (!state.child.can_view_billing) {
    panel.replaceChildren();
    return;
  }
  const [page, accounts] = await Promise.all([
    client.get("/api/v1/billing/invoices?limit=50"),
    client.get("/api/v1/billing/accounts"),
  ]);
  // The family accounts of this child: each with its statement (movements, running balance).
  const mine = accounts.filter((a) => a.students.some((s) => s.student_id === state.child.student_id));
  const statements = await Promise.all(mine.map((a) => client.get(`/api/v1/billing/accounts/${a.id}/statement`)));
  if (!page.items.length && !mine.length) {
    panel.replaceChildren(el("p", { text: t("noInvoices") }));
    return;
  }
  panel.replaceChildren(
    page.items.length ? invoiceTable(page) : el("p", { text: t("noInvoices") }),
    ...mine.map((a, n) => statementTable(a, statements[n])),
  );
}

function statementTable(account, st) {
  const money = (m) => `${m.amount} ${st.currency}`;
  return el(
    "section",
    { class: "statement", dataset: { accountId: account.id } },
    el("h2", { text: `${t("statement")} · ${account.name}` }),
    el(
      "table",
      {},
      el("caption", { class: "sr-only", text: `${t("statement")} · ${account.name}` }),
      el("thead", {}, el("tr", {}, [t("date"), "#", t("amount"), t("balance")].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        st.lines.map((ln) =>
          el("tr", {}, el("td", { text: ln.day }), el("td", { text: `${ln.document} ${ln.description}`.trim() }),
            el("td", { text: money(ln.amount) }), el("td", { text: money(ln.balance) })),
        ),
      ),
    ),
    el("p", { class: "closing" }, el("strong", { text: `${t("balanceDue")}: ${money(st.closing_balance)}` })),
  );
}

function invoiceTable(page) {
  return (
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
    )
  );
}

async function showChild(studentId) {
  // `data-loading` while a child's tabs are drawn again: a form filled before they are would be
  // replaced by an empty one (tests and assistive tools wait for it to go).
  document.body.dataset.loading = "true";
  state.child = state.me.children.find((c) => c.student_id === studentId);
  try {
    await Promise.all([loadGrades(), loadAttendance(), loadInvoices()]);
  } finally {
    delete document.body.dataset.loading;
  }
}

// Web Push: the school reaches this browser when the app is closed. The browser subscribes
// with the server's VAPID key and the server keeps the subscription; without Web Push on the
// server (503) or in the browser, the button stays hidden.
function keyBytes(base64url) {
  const raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function subscribePush() {
  const { public_key: key, subscriptions } = await client.get("/api/v1/web-push/key");
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ||
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
  await client.post(subscriptions, subscription.toJSON());
}

function pushButton(node) {
  if (!("PushManager" in globalThis) || !navigator.serviceWorker || Notification.permission === "denied") return;
  const done = () => {
    node.textContent = t("pushEnabled");
    node.disabled = true;
    node.hidden = false;
  };
  if (Notification.permission === "granted") {
    subscribePush().then(done).catch(() => {});
    return;
  }
  node.textContent = t("enablePush");
  node.hidden = false;
  node.addEventListener("click", async () => {
    if ((await Notification.requestPermission()) !== "granted") {
      node.hidden = true;
      return;
    }
    await subscribePush().then(done).catch(() => (node.hidden = true));
  });
}

async function main() {
  // Installable, and opens offline from the last copy seen (sw.js); the app works without it.
  navigator.serviceWorker?.register("/app/sw.js").catch(() => {});
  const me = await signedIn($("signin"));
  state.me = me;
  signOutButton($("signout"));
  pushButton($("enable-push"));
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
    } else if (frame.type === "announcement.published") {
      loadAnnouncements();
    } else if (
      (frame.type === "attendance.excuse_decided" || frame.type === "attendance.absence_reported") &&
      state.child && frame.data.student_id === state.child.student_id
    ) {
      loadAttendance();
    }
  });
  const work = [loadConversations(), loadAnnouncements()];
  if (me.children.length) work.push(showChild(me.children[0].student_id));
  await Promise.all(work);
  document.body.dataset.ready = "true";
}

main();
