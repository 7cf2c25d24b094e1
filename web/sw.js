// Açık Kapı's service worker: the citizen pages open offline.
// - The app shell (the citizen pages, styles, scripts, icons) is cached per VERSION and
//   served from the cache: a page always runs with the scripts of its own version, and a
//   new version waits until the citizen accepts the reload the page offers.
// - The catalogue (/v1/catalog) is fetched from the network with its ETag and kept for
//   offline use; the open statistics (/v1/stats, JSON) from the network, the last copy kept
//   for offline use; a district's neighbourhoods likewise, each kept once it was shown.
// - An application queued offline is sent by the worker itself where the browser has
//   Background Sync, even with no page open (web/js/outbox.js keeps it in IndexedDB).
// - The office console and the institution page are never cached: offline they get a
//   plain page that says they need a connection.
const VERSION = "2026-12-07.4";
const SHELL = `acikkapi-shell-${VERSION}`;
const DATA = "acikkapi-data";
const CITIZEN_PAGES = ["./", "index.html", "basvuru.html", "izle.html", "basvurularim.html", "anket.html",
  "istatistik.html", "dogrula.html"];
const ASSETS = ["css/site.css", "favicon.svg", "manifest.webmanifest", "icons/icon-192.png", "icons/icon-512.png",
  "js/api.js", "js/basvuru.js", "js/catalog.js", "js/validate.js", "js/izle.js", "js/survey.js", "js/anket.js",
  "js/photos.js", "js/basvurularim.js", "js/pwa.js", "js/brand.js", "js/istatistik.js", "js/outbox.js", "js/formfiles.js", "js/dogrula.js", "js/i18n.js", "js/receipt.js", "i18n/en.json", "i18n/ar.json", "offline.html"];
const ONLINE_ONLY = ["buro.html", "kurum.html", "js/buro", "js/buro.js", "js/kurum.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll([...CITIZEN_PAGES, ...ASSETS])));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith("acikkapi-shell-") && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

const isOnlineOnly = (url) => ONLINE_ONLY.some((p) => url.pathname.endsWith(`/${p}`) || url.pathname.includes(`/${p}/`));

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;                     // submissions go to the network (the page queues them)
  const url = new URL(req.url);
  if (url.pathname.endsWith("/v1/catalog")) { event.respondWith(catalogue(req)); return; }
  if (url.pathname.includes("/v1/catalog/neighbourhoods/")) { event.respondWith(networkFirst(req)); return; }
  if (url.pathname.endsWith("/v1/stats") && url.searchParams.get("format") !== "csv") {
    event.respondWith(networkFirst(req));
    return;
  }
  if (url.origin !== self.location.origin) return;      // every other API call: network only
  if (url.pathname.endsWith("/config.js")) { event.respondWith(networkFirst(req)); return; }
  if (isOnlineOnly(url)) {
    event.respondWith(fetch(req).catch(() => req.mode === "navigate" ? caches.match("offline.html", { cacheName: SHELL })
      : Response.error()));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: SHELL, ignoreSearch: req.mode === "navigate" })
    .then((hit) => hit || fetch(req)));
});

async function networkFirst(req) {
  const cache = await caches.open(DATA);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(req, res.clone());
    return res;
  } catch (e) {
    return (await cache.match(req)) || Response.error();
  }
}

// The catalogue: revalidated with its ETag when online (a 304 keeps the cached copy).
async function catalogue(req) {
  const cache = await caches.open(DATA);
  const cached = await cache.match(req.url);
  try {
    const headers = cached && cached.headers.get("ETag") ? { "If-None-Match": cached.headers.get("ETag") } : {};
    const res = await fetch(req.url, { headers, mode: "cors" });
    if (res.status === 304 && cached) return cached;
    if (res.ok) await cache.put(req.url, res.clone());
    return res;
  } catch (e) {
    return cached || Response.error();
  }
}

// --- Background Sync: the application queued offline (web/js/outbox.js) ---------------
// The page keeps it in IndexedDB ("acikkapi"/"outbox", key "queued") with the API's address
// and its Idempotency-Key. The worker sends it; the receipt waits under "sent" (a refusal
// under "refused") for the next citizen page, and open pages are told at once. A network
// failure rejects, and the browser tries the sync again later.
function outboxStore(mode) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open("acikkapi", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("outbox");
    req.onsuccess = () => resolve(req.result.transaction("outbox", mode).objectStore("outbox"));
    req.onerror = () => reject(req.error);
  });
}
const outboxDo = (mode, fn) => outboxStore(mode).then((store) => new Promise((resolve, reject) => {
  const r = fn(store);
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
}));

async function sendQueuedApplication() {
  const item = await outboxDo("readonly", (s) => s.get("queued"));
  if (!item || !item.api_base) return;
  const res = await fetch(`${item.api_base}/v1/applications`, {
    method: "POST", mode: "cors",
    headers: { "Content-Type": "application/json", "Idempotency-Key": item.key,
      ...(item.lang && item.lang !== "tr" ? { "Accept-Language": item.lang } : {}) },
    body: JSON.stringify(item.body) });
  if (res.ok) {
    const receipt = await res.json();
    await outboxDo("readwrite", (s) => s.put({ receipt, body: item.body }, "sent"));
  } else if (res.status < 500 && res.status !== 409 && res.status !== 429) {
    const error = ((await res.json().catch(() => ({}))) || {}).error || null;
    await outboxDo("readwrite", (s) => s.put({ status: res.status, error }, "refused"));
  } else {
    throw new Error(`not yet: ${res.status}`);      // busy or failing: the browser retries later
  }
  await outboxDo("readwrite", (s) => s.delete("queued"));
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "window" })) {
    client.postMessage({ type: "outbox-settled" });
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "acikkapi-outbox") event.waitUntil(sendQueuedApplication());
});
