// What every page shares: the client (tokens in this tab's sessionStorage), sign-in, the
// connection indicator, and a tiny DOM builder (text is always set as text, never as HTML).
import { EdtechClient } from "./edtech.js";
import { t, translate } from "./i18n.js";

export const client = new EdtechClient({ storage: globalThis.sessionStorage });

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export function problemText(err) {
  return (err && err.message) || String(err);
}

/** Show the sign-in form in `root` until the person signs in; resolves with /api/v1/me. */
export async function signedIn(root) {
  translate();
  if (client.signedIn) {
    try {
      return await client.get("/api/v1/me");
    } catch {
      /* expired or revoked: sign in again */
    }
  }
  return new Promise((resolve) => {
    const error = el("p", { class: "error", role: "alert" });
    const form = el(
      "form",
      { class: "stack", "aria-labelledby": "signin-title" },
      el("h2", { id: "signin-title", text: t("signIn") }),
      el("label", { for: "signin-email", text: t("email") }),
      el("input", { id: "signin-email", name: "email", type: "email", autocomplete: "username", required: true }),
      el("label", { for: "signin-password", text: t("password") }),
      el("input", {
        id: "signin-password", name: "password", type: "password",
        autocomplete: "current-password", required: true,
      }),
      el("button", { type: "submit", text: t("signIn") }),
      error,
      el("p", {}, el("a", { href: "/app/forgot-password", text: t("forgot") })),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      try {
        await client.signIn(form.email.value, form.password.value);
        const me = await client.get("/api/v1/me");
        form.remove();
        resolve(me);
      } catch {
        error.textContent = t("signInFailed");
      }
    });
    root.replaceChildren(form);
    form.email.focus();
  });
}

/** Keep `node` telling the truth about the socket: live, reconnecting, resumed, reloaded. */
export function connectionIndicator(node) {
  const show = (state) => {
    node.dataset.state = state;
    node.textContent = t(state);
  };
  show(client.realtime.state);
  client.realtime.addEventListener("state", (event) => {
    const { state, resumed, reloaded } = event.detail;
    if (state === "live" && reloaded) show("reloaded");
    else if (state === "live" && resumed) show("resumed");
    else show(state);
  });
}

export function signOutButton(node) {
  node.textContent = t("signOut");
  node.hidden = false;
  node.addEventListener("click", async () => {
    await client.signOut();
    location.reload();
  });
}

export function todayAt(zone) {
  // The school's date, not the UTC one (sv-SE formats as YYYY-MM-DD).
  try {
    return new Date().toLocaleDateString("sv-SE", { timeZone: zone });
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

export { t, translate };
