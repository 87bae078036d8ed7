// The home page and the pages mailed links open: accept an invitation (choose a password and
// be signed in), reset a forgotten password, confirm a new sign-in address. The link's token
// is read from the address and removed from it at once (it must not stay in history).
import { client, el, t, translate } from "./app.js";

const main = document.getElementById("main");

function takeToken() {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  if (token) {
    url.searchParams.delete("token");
    history.replaceState(null, "", url);
  }
  return token;
}

function linkProblem(err) {
  main.replaceChildren(
    el("h2", { text: t("linkProblem") }),
    el("p", { class: "error", role: "alert", text: err.message }),
    el("p", {}, el("a", { href: "/app/forgot-password", text: t("forgot") })),
  );
}

function passwordForm(label, onSubmit) {
  const error = el("p", { class: "error", role: "alert" });
  const form = el(
    "form",
    { class: "stack" },
    el("label", { for: "new-password", text: label }),
    el("input", { id: "new-password", name: "password", type: "password", autocomplete: "new-password", minlength: "10", required: true }),
    el("button", { type: "submit", text: t("setPassword") }),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await onSubmit(form.password.value);
    } catch (err) {
      const problems = err.problem && err.problem.errors;
      error.textContent = problems ? problems.map((p) => p.msg || p.message).join(" ") : err.message;
    }
  });
  return form;
}

async function post(path, body) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = r.status === 204 || r.status === 202 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error((data && (data.detail || data.title)) || `HTTP ${r.status}`);
    err.status = r.status;
    err.problem = data || {};
    throw err;
  }
  return data;
}

const done = (text) => main.replaceChildren(el("p", { class: "notice", role: "status", text }), home());

function home() {
  return el(
    "ul",
    { class: "links" },
    el("li", {}, el("a", { href: "/app/board", text: t("boardLink") })),
    el("li", {}, el("a", { href: "/app/parent", text: t("parentLink") })),
    el("li", {}, el("a", { href: "/app/office", text: t("officeLink") })),
  );
}

async function invitation(token) {
  let view;
  try {
    view = await post("/api/v1/invitations/open", { token });
  } catch (err) {
    return linkProblem(err);
  }
  main.replaceChildren(
    el("p", { text: `${t("invitedTo")} ${view.institution_name}: ${view.display_name} (${view.email})` }),
    passwordForm(t("newPassword"), async (password) => {
      const pair = await post("/api/v1/invitations/accept", { token, password });
      client.useTokens(pair);
      done(t("passwordSet"));
    }),
  );
}

function resetPassword(token) {
  main.replaceChildren(
    passwordForm(t("newPassword"), async (password) => {
      await post("/api/v1/auth/password-reset/complete", { token, new_password: password });
      done(t("passwordReset"));
    }),
  );
}

function forgotPassword() {
  const form = el(
    "form",
    { class: "stack" },
    el("label", { for: "reset-email", text: t("email") }),
    el("input", { id: "reset-email", name: "email", type: "email", autocomplete: "username", required: true }),
    el("button", { type: "submit", text: t("sendLink") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await post("/api/v1/auth/password-reset", { email: form.email.value }).catch(() => null);
    main.replaceChildren(el("p", { class: "notice", role: "status", text: t("linkSent") }));
  });
  main.replaceChildren(form);
}

async function confirmEmail(token) {
  main.replaceChildren(el("p", { role: "status", text: t("confirming") }));
  try {
    const { email } = await post("/api/v1/auth/email-change/confirm", { token });
    done(`${t("emailConfirmed")} ${email}.`);
  } catch (err) {
    linkProblem(err);
  }
}

// The provider sends the browser back here with `code` and `state` (or `error`): both go to
// the API at once and leave the address bar (they are single use and must not stay in history).
async function ssoCallback() {
  const url = new URL(location.href);
  const params = Object.fromEntries(["code", "state", "error", "error_description"].map((k) => [k, url.searchParams.get(k)]));
  history.replaceState(null, "", url.pathname);
  if (params.error) return linkProblem(new Error(params.error_description || params.error));
  if (!params.code || !params.state) return linkProblem(new Error("The provider sent no code."));
  main.replaceChildren(el("p", { role: "status", text: t("signingIn") }));
  try {
    const pair = await post("/api/v1/auth/sso/callback", { code: params.code, state: params.state });
    client.useTokens(pair);
    done(t("ssoSignedIn"));
  } catch (err) {
    linkProblem(err);
  }
}

translate();
const page = document.body.dataset.page;
const token = ["index", "forgot-password", "sso-callback"].includes(page) ? null : takeToken();
if (page === "index") main.replaceChildren(home());
else if (page === "forgot-password") forgotPassword();
else if (page === "sso-callback") ssoCallback();
else if (!token) linkProblem(new Error("The link has no token."));
else if (page === "invitation") invitation(token);
else if (page === "reset-password") resetPassword(token);
else if (page === "confirm-email") confirmEmail(token);
