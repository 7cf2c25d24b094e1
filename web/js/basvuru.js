import { api, ApiError, fmtDate, fmtDateTime, say, showErrors, clearErrors } from "./api.js";
import { applicationBody, clientChecks, loadCatalog, wirePickers } from "./catalog.js";
import { isValidNationalId, normaliseMobile } from "./validate.js";

const live = document.getElementById("live");
const form = document.getElementById("form");
const ack = document.getElementById("kvkk-ack");
const cont = document.getElementById("kvkk-continue");

ack.addEventListener("change", () => { cont.disabled = !ack.checked; });
cont.addEventListener("click", async () => {
  document.getElementById("kvkk-step").classList.add("hidden");
  form.classList.remove("hidden");
  try { await wirePickers(form); } catch (e) { say(live, e.message, "err"); }
  form.querySelector("[name=type]").focus();
});

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
    const r = await api("POST", "/v1/applications", { body, headers: { "Idempotency-Key": idempotencyKey } });
    form.classList.add("hidden");
    say(live, "");
    document.getElementById("r-no").textContent = r.application_no;
    document.getElementById("r-code").textContent = r.access_code;
    document.getElementById("r-at").textContent = fmtDateTime(r.received_at);
    document.getElementById("r-subject").textContent = body.subject;
    document.getElementById("r-due").textContent = r.legal_due_date ? fmtDate(r.legal_due_date)
      : "Teşekkür başvurularında yasal cevap süresi yoktur; teşekkürünüz ilgili kuruma iletilir.";
    document.getElementById("r-track").href = `izle.html#no=${encodeURIComponent(r.application_no)}`;
    const receipt = document.getElementById("receipt");
    receipt.classList.remove("hidden");
    receipt.focus();
  } catch (e) {
    if (e instanceof ApiError && e.errors.length) { showErrors(form, e.errors, live); say(live, live.textContent, "err"); }
    else say(live, e.message, "err");
    if (!(e instanceof ApiError && e.status === 409)) idempotencyKey = null;
  } finally {
    button.disabled = false;
  }
});

// The notice names the deployment's retention period and where the data is held.
loadCatalog().then((cat) => {
  const p = cat.privacy;
  if (!p) return;
  document.getElementById("kvkk-years").textContent = String(p.retention_years);
  document.getElementById("kvkk-region").textContent = p.data_region;
  document.getElementById("kvkk-abroad").hidden = !p.transfer_abroad;
}).catch(() => {});
