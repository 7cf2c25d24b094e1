import { api, ApiError, clearErrors, el, errorSummary, fmtDateTime, say, showErrors } from "./api.js";
import { lang } from "./i18n.js";
import { applicationBody, clientChecks, loadCatalog, placeLoaded, wirePickers } from "./catalog.js";
import { storedFiles, uploadFormFiles, wireFormFiles } from "./formfiles.js";
import { drawQr, dueText, receiptPdf } from "./receipt.js";
import { enqueue, queued, SENT, sendQueued as sendFromOutbox, settleFromWorker } from "./outbox.js";
import { isValidNationalId, normaliseMobile } from "./validate.js";

const live = document.getElementById("live");
const form = document.getElementById("form");
const ack = document.getElementById("kvkk-ack");
const cont = document.getElementById("kvkk-continue");

// "Devam et" is never disabled (GOV.UK: avoid disabled buttons): without the tick it says why.
// The notice is layered: a short summary, the tick right below it, the full text one tap
// away. The tick is kept with the draft (a reload does not ask again) and goes with it.
const kvkkStep = document.getElementById("kvkk-step");
const ACK = "acikkapi.kvkk";
if (localStorage.getItem(ACK)) ack.checked = true;
ack.addEventListener("change", () => {
  if (ack.checked) {
    clearErrors(kvkkStep);
    errorSummary(kvkkStep, []);
    say(live, "");                      // the "tick it" message is stale once it is ticked
    localStorage.setItem(ACK, new Date().toISOString());
  } else {
    localStorage.removeItem(ACK);
  }
});
cont.addEventListener("click", async () => {
  if (!ack.checked) {
    showErrors(kvkkStep, [{ field: "kvkk_ack", message: "Devam etmek için aydınlatma metnini okuduğunuzu işaretleyiniz." }], live);
    return;
  }
  localStorage.setItem(ACK, localStorage.getItem(ACK) || new Date().toISOString());
  errorSummary(kvkkStep, []);
  say(live, "");
  document.getElementById("kvkk-step").classList.add("hidden");
  form.classList.remove("hidden");
  try { await wirePickers(form); await restoreDraft(); await wireFormFiles(live); } catch (e) { say(live, e.message, "err"); }
  form.querySelector("[name=type]").focus();
});

// --- the draft: saved as it is typed, restored after a reload, cleared once received ---
const DRAFT = "acikkapi.draft";
let shownReceipt = null;               // the receipt on screen, for its PDF (number and code)
const ORDER = ["type", "heading", "category", "province", "district"];   // pickers fill the next one

function saveDraft() {
  const values = {};
  form.querySelectorAll("input[id], select[id], textarea[id]").forEach((f) => {
    values[f.id] = f.type === "checkbox" ? f.checked : f.value;
  });
  localStorage.setItem(DRAFT, JSON.stringify({ saved_at: new Date().toISOString(), values }));
}

async function restoreDraft() {
  const draft = JSON.parse(localStorage.getItem(DRAFT) || "null");
  if (!draft) return;
  const set = (id, value) => {
    const f = document.getElementById(id);
    if (!f) return;
    if (f.type === "checkbox") f.checked = !!value; else f.value = value;
    f.dispatchEvent(new Event("change"));
  };
  for (const id of ORDER) if (id in draft.values) set(id, draft.values[id]);
  await placeLoaded();                  // the district's neighbourhoods, before the one chosen
  for (const [id, value] of Object.entries(draft.values)) if (!ORDER.includes(id)) set(id, value);
  say(live, "Kaydedilmiş taslağınız geri yüklendi.", "ok");
}

function clearDraft() { localStorage.removeItem(DRAFT); localStorage.removeItem(ACK); }

form.addEventListener("input", saveDraft);
form.addEventListener("change", saveDraft);
document.getElementById("draft-clear").addEventListener("click", async () => {
  clearDraft();
  (await wireFormFiles(live)).reset();
  document.getElementById("location").dispatchEvent(new Event("change"));
  form.reset();
  form.querySelectorAll("select").forEach((s) => s.dispatchEvent(new Event("change")));
  say(live, "Taslak silindi.", "ok");
});
if (localStorage.getItem(DRAFT)) document.getElementById("draft-note").hidden = false;

form.querySelector("[name=type]").addEventListener("change", (e) => {
  document.getElementById("confidential-field").hidden = e.target.value !== "ihbar";
});

// Beside an emergency-like subject, the 112 warning again.
form.querySelector("[name=category]").addEventListener("change", async (e) => {
  const cat = await loadCatalog();
  const subject = cat.headings.flatMap((h) => h.subjects).find((s) => s.code === e.target.value);
  document.getElementById("emergency-category").hidden = !(subject && subject.emergency);
});

// The phone's position is a suggestion: shown (about how precise, with the numbers) before
// it is added, and removable at any time; the application never needs it (the address does).
const locInput = document.getElementById("location");
const locBox = document.getElementById("location-suggestion");
const locText = document.getElementById("location-text");
const keepButton = document.getElementById("location-keep");
let suggested = null;
function showLocation() {
  const added = locInput.value ? JSON.parse(locInput.value) : null;
  locBox.hidden = !added && !suggested;
  keepButton.hidden = !!added;
  drawMap(added || suggested);
  if (added) locText.textContent = `Konum eklendi: enlem ${added.lat}, boylam ${added.lon}. Kurum başvurunuzun yerini bununla bulur.`;
  else if (suggested) locText.textContent = `Telefonunuzun bildirdiği konum (yaklaşık ${suggested.accuracy} m): enlem ${suggested.lat}, boylam ${suggested.lon}. Eklensin mi?`;
}
// A map of the position, only where the deployment configures a tile service it may use
// (config.js: mapTiles, mapAttribution); never needed: the numbers above say the same.
// Nine tiles around the point at street level, the point marked in the middle.
const TILE = 256;
function drawMap(at) {
  const cfg = window.ACIKKAPI_CONFIG || {};
  const fig = document.getElementById("location-map");
  if (!fig) return;
  if (!at || !/^https:\/\/[^\s]+\{z\}[^\s]*\{x\}[^\s]*\{y\}/.test(cfg.mapTiles || "")) { fig.hidden = true; return; }
  const z = 17;
  const n = 2 ** z;
  const lat = (at.lat * Math.PI) / 180;
  const fx = ((at.lon + 180) / 360) * n;
  const fy = ((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * n;
  const [tx, ty] = [Math.floor(fx), Math.floor(fy)];
  const view = fig.querySelector(".map-view");
  const width = view.clientWidth || 300;
  const height = 200;
  // the point's pixel in the 3 x 3 grid (its tile in the middle) goes to the view's centre
  const left = width / 2 - (TILE + (fx - tx) * TILE);
  const top = height / 2 - (TILE + (fy - ty) * TILE);
  const tiles = [];
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const src = cfg.mapTiles.replace("{z}", z).replace("{x}", tx + dx).replace("{y}", ty + dy);
    tiles.push(el("img", { src, alt: "", width: TILE, height: TILE, class: "map-tile", draggable: "false",
      style: `left:${left + (dx + 1) * TILE}px;top:${top + (dy + 1) * TILE}px` }));
  }
  view.replaceChildren(...tiles, el("span", { class: "map-marker", "aria-hidden": "true" }));
  view.setAttribute("role", "img");
  view.setAttribute("aria-label", `Haritada konum: enlem ${at.lat}, boylam ${at.lon}`);
  fig.querySelector("figcaption").textContent = cfg.mapAttribution || "";
  fig.hidden = false;
}

document.getElementById("use-location").addEventListener("click", () => {
  locBox.hidden = false;
  keepButton.hidden = true;
  if (!navigator.geolocation) { locText.textContent = "Tarayıcınız konum paylaşımını desteklemiyor; adresiniz yeterlidir."; return; }
  locText.textContent = "Konum alınıyor…";
  navigator.geolocation.getCurrentPosition((pos) => {
    suggested = { lat: +pos.coords.latitude.toFixed(5), lon: +pos.coords.longitude.toFixed(5),
      accuracy: Math.max(1, Math.round(pos.coords.accuracy || 0)) };
    showLocation();
    keepButton.focus();
  }, () => { locText.textContent = "Konum alınamadı; konumsuz da başvurabilirsiniz."; }, { timeout: 10000 });
});
keepButton.addEventListener("click", () => {
  if (!suggested) return;
  locInput.value = JSON.stringify({ lat: suggested.lat, lon: suggested.lon });
  suggested = null;
  saveDraft();
  showLocation();
  document.getElementById("location-remove").focus();
});
document.getElementById("location-remove").addEventListener("click", () => {
  locInput.value = "";
  suggested = null;
  saveDraft();
  showLocation();
  locText.textContent = "";
  locBox.hidden = true;
  say(live, "Konum kaldırıldı.", "ok");
  document.getElementById("use-location").focus();
});
locInput.addEventListener("change", showLocation);     // restored with the draft

let idempotencyKey = null;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = { ...applicationBody(form), channel: "web" };
  const errors = clientChecks(form, body, isValidNationalId, normaliseMobile);
  if (errors.length) { showErrors(form, errors, live); say(live, live.textContent, "err"); return; }
  const button = document.getElementById("submit");
  button.disabled = true;
  idempotencyKey = idempotencyKey || crypto.randomUUID();  // a double click makes one application
  try {
    if (!navigator.onLine) throw new ApiError(0, { error: { code: "network", message: "offline" } });
    const r = await api("POST", "/v1/applications", { body, headers: { "Idempotency-Key": idempotencyKey } });
    showReceipt(r, body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 0) {
      // offline, or the connection dropped: queued with its key; a retry can never make two cases
      enqueue(body, idempotencyKey);
      showPending();
      return;
    }
    if (e instanceof ApiError && e.errors.length) { showErrors(form, e.errors, live); say(live, live.textContent, "err"); }
    else say(live, e.message, "err");
    if (!(e instanceof ApiError && e.status === 409)) idempotencyKey = null;
  } finally {
    button.disabled = false;
  }
});

function showPending() {
  form.classList.add("hidden");
  document.getElementById("kvkk-step").classList.add("hidden");
  const box = document.getElementById("pending");
  box.classList.remove("hidden");
  say(live, "Başvurunuz gönderilmeyi bekliyor: bağlantı gelince kendiliğinden gönderilecek. Bu sayfayı kapatmayınız.", "");
  box.focus();
}

// The queued application (web/js/outbox.js): sent from here, from any other citizen page,
// or by the service worker (Background Sync); whichever sends it, this page shows the receipt.
async function backToForm(message, errors) {
  document.getElementById("pending").classList.add("hidden");
  form.classList.remove("hidden");
  await wirePickers(form).catch(() => {});
  restoreDraft();
  await wireFormFiles(live);
  if (errors && errors.length) showErrors(form, errors, null);
  say(live, message, "err");
}

async function sendQueued() {
  const { sent, refused } = await sendFromOutbox();
  if (sent) { document.getElementById("pending").classList.add("hidden"); showReceipt(sent.receipt, sent.body); }
  else if (refused) await backToForm(refused.message, refused.errors);   // the draft still holds it
}

async function settle() {
  const { refused } = await settleFromWorker();
  const sent = JSON.parse(localStorage.getItem(SENT) || "null");     // sent from another page or the worker
  if (sent) {
    localStorage.removeItem(SENT);
    document.getElementById("pending").classList.add("hidden");
    document.getElementById("kvkk-step").classList.add("hidden");
    showReceipt(sent.receipt, sent.body);
    return;
  }
  if (refused) { await backToForm((refused.error && refused.error.message) || "Başvurunuz gönderilemedi; lütfen kontrol ediniz."); return; }
  if (queued()) { showPending(); sendQueued(); }
}
window.addEventListener("online", sendQueued);
document.getElementById("pending-retry").addEventListener("click", sendQueued);
navigator.serviceWorker?.addEventListener("message", (e) => { if (e.data && e.data.type === "outbox-settled") settle(); });
settle();

function showReceipt(r, body) {
  {
    clearDraft();                               // the personal data in the draft goes once received
    idempotencyKey = null;
    form.classList.add("hidden");
    say(live, "");
    document.getElementById("r-no").textContent = r.application_no;
    document.getElementById("r-code").textContent = r.access_code;
    document.getElementById("r-at").textContent = fmtDateTime(r.received_at);
    document.getElementById("r-subject").textContent = body.subject;
    if (r.office) {      // the office that handles it: its place's own, or the one above it until that one joins
      document.getElementById("r-office-name").textContent = r.office.name;
      document.getElementById("r-office").textContent = `Başvurunuzu ${r.office.name} Açık Kapı Bürosu inceler ve konusuyla ilgili kuruma iletir; her adımda SMS alırsınız.`;
    }
    document.getElementById("r-due").textContent = dueText(r);
    const mail = document.getElementById("r-mail");
    mail.hidden = !(body.applicant && body.applicant.email);
    mail.textContent = mail.hidden ? "" : `Alındı bilgisi ${body.applicant.email} adresine de e-posta ile gönderilir.`;
    document.getElementById("r-track").href = `izle.html#no=${encodeURIComponent(r.application_no)}`;
    showVerification(r.verification);
    shownReceipt = r;
    // a confirmation page of its own (GOV.UK): the heading and the title say it was received
    document.querySelector("h1").textContent = "Başvurunuz alındı";
    document.title = `Başvurunuz alındı · ${document.title.replace(/^Hata: /, "").split(" · ").pop()}`;
    document.querySelectorAll("#emergency, .emergency").forEach((n) => n.classList.add("hidden"));
    const receipt = document.getElementById("receipt");
    receipt.classList.remove("hidden");
    receipt.focus();
    attachFormFiles(r);
  }
}

// What makes the receipt verifiable by anyone (dogrula.html): the short code, and the QR
// code of the page's address with the signed token (drawn by the API, as a data URI).
function showVerification(v) {
  if (!v) return;
  document.getElementById("r-short").textContent = v.short_code;
  document.getElementById("r-verify-link").href = `dogrula.html#r=${v.token}`;
  drawQr(document.getElementById("r-qr"), v);
}

// The photos chosen in the form go to the received application with its access code,
// once: the receipt may be shown twice (this page's own send and the worker's, racing).
const attaching = new Set();
async function attachFormFiles(r) {
  if (attaching.has(r.application_no)) return;
  attaching.add(r.application_no);
  if (!(await storedFiles()).length) return;
  const line = document.getElementById("r-files");
  line.hidden = false;
  line.textContent = "Eklediğiniz dosyalar yükleniyor…";
  const { done, failed } = await uploadFormFiles(r);
  line.textContent = [
    done.length ? `${done.length} dosya başvurunuza eklendi (fotoğrafların konum ve cihaz bilgileri silindi).` : "",
    failed.length ? `${failed.join(", ")} yüklenemedi; Başvurumu izle sayfasından yeniden ekleyebilirsiniz.` : "",
  ].filter(Boolean).join(" ");
  say(live, line.textContent, failed.length ? "err" : "ok");
}

// The KVKK notice comes from the API (domain/notice.py): the office that is the controller,
// with its address and contact once the district is chosen, where the data is held and on
// what basis, and every right. The text in the page is what shows offline.
// In English or Arabic the page's own text is the translation, and the office's notice
// follows it as issued, in Turkish (lang="tr"), as the binding text.
async function loadNotice(district) {
  try {
    const n = await api("GET", `/v1/notice${district ? `?district=${encodeURIComponent(district)}` : ""}`);
    const sections = n.sections.map((s) => { const p = document.createElement("p"); const b = document.createElement("strong");
      b.textContent = `${s.title}: `; p.append(b, s.text); return p; });
    if (lang === "tr") { document.getElementById("kvkk-full").replaceChildren(...sections); return; }
    let official = document.getElementById("kvkk-official");
    if (!official) {
      official = el("div", { id: "kvkk-official", lang: "tr", dir: "ltr", translate: "no" });
      document.getElementById("kvkk-full").after(el("h3", {}, "Bağlayıcı metin (Türkçe)"), official);
    }
    official.replaceChildren(...sections);
  } catch { /* offline: the page's own text stays */ }
}
loadNotice(null);
document.getElementById("district")?.addEventListener("change", (e) => { if (e.target.value) loadNotice(e.target.value); });

// Copy buttons for the number and the code: the clipboard where the browser allows it,
// else the text is selected for the person to copy.
document.querySelectorAll("button.copy").forEach((b) => b.addEventListener("click", async () => {
  const node = document.getElementById(b.dataset.copy);
  const label = b.textContent;
  try { await navigator.clipboard.writeText(node.textContent.trim()); b.textContent = "Kopyalandı"; say(live, `${b.dataset.copy === "r-no" ? "Numara" : "Kod"} panoya kopyalandı.`, "ok"); }
  catch { const r = document.createRange(); r.selectNodeContents(node); getSelection().removeAllRanges(); getSelection().addRange(r); say(live, "Seçildi; kopyalamak için Ctrl+C'ye basınız.", "ok"); }
  setTimeout(() => { b.textContent = label; }, 2500);
}));

// The receipt as a PDF to download, or to share where the phone can share a file.
async function pdf(share) {
  if (!shownReceipt) return;
  try {
    const how = await receiptPdf(shownReceipt, { share });
    say(live, how === "shared" ? "Alındı belgesi paylaşıldı." : "Alındı belgesi (PDF) indirildi.", "ok");
  } catch (e) { if (e.name !== "AbortError") say(live, e.message, "err"); }
}
document.getElementById("pdf-receipt")?.addEventListener("click", () => pdf(false));
const shareButton = document.getElementById("share-receipt");
if (shareButton && navigator.canShare) { shareButton.hidden = false; shareButton.addEventListener("click", () => pdf(true)); }

// The receipt's print button (no inline handler: the pages' CSP allows none)
document.getElementById("print-receipt")?.addEventListener("click", () => window.print());
