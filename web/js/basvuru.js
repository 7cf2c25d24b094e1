import { api, ApiError, clearErrors, errorSummary, fmtDate, fmtDateTime, say, showErrors } from "./api.js";
import { applicationBody, clientChecks, loadCatalog, wirePickers } from "./catalog.js";
import { isValidNationalId, normaliseMobile } from "./validate.js";

const live = document.getElementById("live");
const form = document.getElementById("form");
const ack = document.getElementById("kvkk-ack");
const cont = document.getElementById("kvkk-continue");

// "Devam et" is never disabled (GOV.UK: avoid disabled buttons): without the tick it says why.
const kvkkStep = document.getElementById("kvkk-step");
ack.addEventListener("change", () => { if (ack.checked) clearErrors(kvkkStep); });
cont.addEventListener("click", async () => {
  if (!ack.checked) {
    showErrors(kvkkStep, [{ field: "kvkk_ack", message: "Devam etmek için aydınlatma metnini okuduğunuzu işaretleyiniz." }], live);
    return;
  }
  errorSummary(kvkkStep, []);
  document.getElementById("kvkk-step").classList.add("hidden");
  form.classList.remove("hidden");
  try { await wirePickers(form); restoreDraft(); } catch (e) { say(live, e.message, "err"); }
  form.querySelector("[name=type]").focus();
});

// --- the draft: saved as it is typed, restored after a reload, cleared once received ---
const DRAFT = "acikkapi.draft";
const OUTBOX = "acikkapi.outbox";
const ORDER = ["type", "heading", "category", "province", "district"];   // pickers fill the next one

function saveDraft() {
  const values = {};
  form.querySelectorAll("input[id], select[id], textarea[id]").forEach((f) => {
    values[f.id] = f.type === "checkbox" ? f.checked : f.value;
  });
  localStorage.setItem(DRAFT, JSON.stringify({ saved_at: new Date().toISOString(), values }));
}

function restoreDraft() {
  const draft = JSON.parse(localStorage.getItem(DRAFT) || "null");
  if (!draft) return;
  const set = (id, value) => {
    const f = document.getElementById(id);
    if (!f) return;
    if (f.type === "checkbox") f.checked = !!value; else f.value = value;
    f.dispatchEvent(new Event("change"));
  };
  for (const id of ORDER) if (id in draft.values) set(id, draft.values[id]);
  for (const [id, value] of Object.entries(draft.values)) if (!ORDER.includes(id)) set(id, value);
  say(live, "Kaydedilmiş taslağınız geri yüklendi.", "ok");
}

function clearDraft() { localStorage.removeItem(DRAFT); }

form.addEventListener("input", saveDraft);
form.addEventListener("change", saveDraft);
document.getElementById("draft-clear").addEventListener("click", () => {
  clearDraft();
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

document.getElementById("use-location").addEventListener("click", () => {
  const text = document.getElementById("location-text");
  if (!navigator.geolocation) { text.textContent = "Tarayıcınız konum paylaşımını desteklemiyor."; return; }
  text.textContent = "Konum alınıyor…";
  navigator.geolocation.getCurrentPosition((pos) => {
    const loc = { lat: +pos.coords.latitude.toFixed(5), lon: +pos.coords.longitude.toFixed(5) };
    form.querySelector("[name=location]").value = JSON.stringify(loc);
    text.textContent = `Konum eklendi (${loc.lat}, ${loc.lon}).`;
  }, () => { text.textContent = "Konum alınamadı; konumsuz da başvurabilirsiniz."; }, { timeout: 10000 });
});

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
      localStorage.setItem(OUTBOX, JSON.stringify({ body, key: idempotencyKey, queued_at: new Date().toISOString() }));
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

let sending = false;
async function sendQueued() {
  const queued = JSON.parse(localStorage.getItem(OUTBOX) || "null");
  if (!queued || sending || !navigator.onLine) return;
  sending = true;
  try {
    const r = await api("POST", "/v1/applications", { body: queued.body, headers: { "Idempotency-Key": queued.key } });
    localStorage.removeItem(OUTBOX);
    document.getElementById("pending").classList.add("hidden");
    showReceipt(r, queued.body);
  } catch (e) {
    if (e instanceof ApiError && e.status !== 0 && e.status < 500 && e.status !== 409 && e.status !== 429) {
      localStorage.removeItem(OUTBOX);           // refused: back to the form, which still has the draft
      document.getElementById("pending").classList.add("hidden");
      form.classList.remove("hidden");
      await wirePickers(form).catch(() => {});
      restoreDraft();
      if (e.errors.length) showErrors(form, e.errors, live);
      say(live, e.message, "err");
    }
  } finally { sending = false; }
}
window.addEventListener("online", sendQueued);
document.getElementById("pending-retry").addEventListener("click", sendQueued);
if (localStorage.getItem(OUTBOX)) { showPending(); sendQueued(); }

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
    document.getElementById("r-due").textContent = r.legal_due_date
      ? `Size en geç ${fmtDate(r.legal_due_date)} tarihine kadar gerekçeli bir cevap verilir (${r.type === "bilgi_edinme" ? "4982 sayılı Kanun: 15 iş günü" : "3071 sayılı Kanun: 30 gün"}).`
      : "Teşekkür başvurularında yasal cevap süresi yoktur; teşekkürünüz ilgili kuruma iletilir.";
    const mail = document.getElementById("r-mail");
    mail.hidden = !(body.applicant && body.applicant.email);
    mail.textContent = mail.hidden ? "" : `Alındı bilgisi ${body.applicant.email} adresine de e-posta ile gönderilir.`;
    document.getElementById("r-track").href = `izle.html#no=${encodeURIComponent(r.application_no)}`;
    // a confirmation page of its own (GOV.UK): the heading and the title say it was received
    document.querySelector("h1").textContent = "Başvurunuz alındı";
    document.title = `Başvurunuz alındı · ${document.title.replace(/^Hata: /, "").split(" · ").pop()}`;
    document.querySelectorAll("#emergency, .emergency").forEach((n) => n.classList.add("hidden"));
    const receipt = document.getElementById("receipt");
    receipt.classList.remove("hidden");
    receipt.focus();
  }
}

// The KVKK notice comes from the API (domain/notice.py): the office that is the controller,
// with its address and contact once the district is chosen, where the data is held and on
// what basis, and every right. The text in the page is what shows offline.
async function loadNotice(district) {
  try {
    const n = await api("GET", `/v1/notice${district ? `?district=${encodeURIComponent(district)}` : ""}`);
    const box = document.querySelector("#kvkk-step .kvkk");
    box.replaceChildren(...n.sections.map((s) => { const p = document.createElement("p"); const b = document.createElement("strong");
      b.textContent = `${s.title}: `; p.append(b, s.text); return p; }));
  } catch { /* offline: the page's own text stays */ }
}
loadNotice(null);
document.getElementById("district")?.addEventListener("change", (e) => { if (e.target.value) loadNotice(e.target.value); });

// Copy buttons for the number and the code: the clipboard where the browser allows it,
// else the text is selected for the person to copy.
document.querySelectorAll("button.copy").forEach((b) => b.addEventListener("click", async () => {
  const node = document.getElementById(b.dataset.copy);
  const label = b.textContent;
  try { await navigator.clipboard.writeText(node.textContent.trim()); b.textContent = "Kopyalandı"; say(live, `${label.replace(" kopyala", "")} panoya kopyalandı.`, "ok"); }
  catch { const r = document.createRange(); r.selectNodeContents(node); getSelection().removeAllRanges(); getSelection().addRange(r); say(live, "Seçildi; kopyalamak için Ctrl+C'ye basınız.", "ok"); }
  setTimeout(() => { b.textContent = label; }, 2500);
}));

// The receipt's print button (no inline handler: the pages' CSP allows none)
document.getElementById("print-receipt")?.addEventListener("click", () => window.print());
