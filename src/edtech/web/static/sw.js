// The parent app's service worker: it makes the app installable and opens its pages offline
// from the last copy seen. Pages and modules always come from the network first, so a new
// deployment is never served stale; a page address with a query (the mailed links carry
// tokens) is never stored; the API and the socket are never touched. It also shows the
// notifications the school pushes (Web Push: `{title, body, link, key, data}`, decrypted by
// the browser) and opens a notification's link when it is clicked.
const CACHE = "edtech-app-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) {
    return;
  }
  const storable = url.search === "";
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (storable && response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || Response.error())),
  );
});

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "Edtech", {
      body: message.body || "",
      icon: "/app/icon.svg",
      tag: message.key, // one notification per attempt, even if pushed twice
      data: { link: message.link || "/app/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.link || "/app/", self.location.origin);
  const url = target.origin === self.location.origin ? target.href : "/app/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).pathname.startsWith("/app/"));
      return open ? open.focus().then((w) => w.navigate(url)) : self.clients.openWindow(url);
    }),
  );
});
