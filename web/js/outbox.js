// The application waiting to be sent: queued by the form when the connection is gone,
// sent from whichever citizen page is open when it comes back, and, where the browser has
// Background Sync, by the service worker even when no page is open. Every send carries the
// same Idempotency-Key, so however many of them run, one application is recorded.
//
// - localStorage "acikkapi.outbox": {body, key, queued_at}: what the pages read.
// - IndexedDB "acikkapi" / "outbox": the same, with the API's address, for the worker
//   (it cannot read localStorage); "queued" while waiting, "sent" once the worker sent it
//   (the receipt, until a page shows it), "refused" if the API refused it.
// - localStorage "acikkapi.sent": the receipt of an application sent from another page,
//   until the form page shows it (with the access code, once) and removes it.
import { api, ApiError } from "./api.js";
import { lang } from "./i18n.js";

export const OUTBOX = "acikkapi.outbox";
export const SENT = "acikkapi.sent";
export const SYNC_TAG = "acikkapi-outbox";

export function queued() {
  try { return JSON.parse(localStorage.getItem(OUTBOX) || "null"); } catch { return null; }
}

function idb() {
  return new Promise((resolve, reject) => {
    if (!("indexedDB" in self)) { reject(new Error("no IndexedDB")); return; }
    const req = indexedDB.open("acikkapi", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("outbox");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function idbGet(name) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const r = db.transaction("outbox").objectStore("outbox").get(name);
    r.onsuccess = () => resolve(r.result || null);
    r.onerror = () => reject(r.error);
  });
}

export async function idbSet(name, value) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction("outbox", "readwrite");
    if (value === null) tx.objectStore("outbox").delete(name); else tx.objectStore("outbox").put(value, name);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

// Queues an application: for the pages at once, and for the worker's Background Sync in the
// background (a worker that never became ready must not keep the page from saying so).
export function enqueue(body, key) {
  const item = { body, key, queued_at: new Date().toISOString() };
  localStorage.setItem(OUTBOX, JSON.stringify(item));
  (async () => {
    try {
      // the worker sends it in the chosen language too, as api.js does (the API's messages:
      // Accept-Language); <html lang> says what the page shows, which may still be Turkish
      await idbSet("queued", { ...item, api_base: (window.ACIKKAPI_CONFIG || {}).apiBase || "", lang });
      const reg = await Promise.race([navigator.serviceWorker?.ready, new Promise((r) => setTimeout(r, 5000))]);
      if (reg && reg.sync) await reg.sync.register(SYNC_TAG);
    } catch { /* no IndexedDB or no Background Sync: the pages send it */ }
  })();
}

function done() {
  localStorage.removeItem(OUTBOX);
  idbSet("queued", null).catch(() => {});
}

// What the worker did while no page was looking: sent it (its receipt is kept for the form
// page) or had it refused (back to the form, whose draft still holds it).
export async function settleFromWorker() {
  try {
    const sent = await idbGet("sent");
    if (sent) {
      localStorage.setItem(SENT, JSON.stringify(sent));
      localStorage.removeItem(OUTBOX);
      await idbSet("sent", null);
    }
    const refused = await idbGet("refused");
    if (refused) { localStorage.removeItem(OUTBOX); await idbSet("refused", null); return { refused }; }
    return sent ? { sent } : {};
  } catch { return {}; }
}

let sending = null;
// Sends the queued application once; resolves to {sent: {receipt, body}}, {refused: ApiError},
// or {} when it stays queued (still offline, the server busy).
export function sendQueued() {
  if (sending) return sending;
  sending = (async () => {
    const item = queued();
    if (!item || !navigator.onLine) return {};
    try {
      const receipt = await api("POST", "/v1/applications", { body: item.body, headers: { "Idempotency-Key": item.key } });
      done();
      return { sent: { receipt, body: item.body } };
    } catch (e) {
      if (e instanceof ApiError && e.status !== 0 && e.status < 500 && e.status !== 409 && e.status !== 429) {
        done();
        return { refused: e };
      }
      return {};
    }
  })().finally(() => { sending = null; });
  return sending;
}
