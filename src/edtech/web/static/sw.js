// The parent app's service worker: it makes the app installable and opens its pages offline
// from the last copy seen. Pages and modules always come from the network first, so a new
// deployment is never served stale; a page address with a query (the mailed links carry
// tokens) is never stored; the API and the socket are never touched.
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
