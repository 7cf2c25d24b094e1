// Açık Kapı's service worker: the citizen pages open offline.
// - The app shell (the citizen pages, styles, scripts, icons) is cached per VERSION and
//   served from the cache: a page always runs with the scripts of its own version, and a
//   new version waits until the citizen accepts the reload the page offers.
// - The catalogue (/v1/catalog) is fetched from the network with its ETag and kept for
//   offline use.
// - The office console and the institution page are never cached: offline they get a
//   plain page that says they need a connection.
const VERSION = "2026-12-06.2";
const SHELL = `acikkapi-shell-${VERSION}`;
const DATA = "acikkapi-data";
const CITIZEN_PAGES = ["./", "index.html", "basvuru.html", "izle.html", "basvurularim.html", "anket.html"];
const ASSETS = ["css/site.css", "favicon.svg", "manifest.webmanifest", "icons/icon-192.png", "icons/icon-512.png",
  "js/api.js", "js/basvuru.js", "js/catalog.js", "js/validate.js", "js/izle.js", "js/survey.js", "js/anket.js",
  "js/photos.js", "js/basvurularim.js", "js/pwa.js", "js/brand.js", "offline.html"];
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
