// dogrula.html: checks a receipt (issue 41). The QR code opens this page with the receipt's
// signed token in the #fragment (never sent to the web server); the API checks the office's
// signature and answers only what the receipt shows. Without a QR code, the number and
// the short code printed on the receipt do the same.
import { api, ApiError, fmtDateTime, say, showErrors } from "./api.js";

const live = document.getElementById("live");
const result = document.getElementById("result");
const byCode = document.getElementById("by-code");
let digest = null;

function show(v) {
  result.classList.remove("hidden");
  document.getElementById("result-heading").textContent = v.valid ? "Makbuz geçerli" : "Makbuz doğrulanamadı";
  result.classList.toggle("valid", v.valid);
  document.getElementById("facts").hidden = !v.valid;
  document.getElementById("subject-check").hidden = !v.valid;
  if (v.valid) {
    document.getElementById("v-no").textContent = v.application_no;
    document.getElementById("v-office").textContent = v.office.name;
    document.getElementById("v-at").textContent = fmtDateTime(v.received_at);
    digest = v.subject_digest;
  }
  say(live, v.message, v.valid ? "ok" : "err");
  document.getElementById("result-heading").focus();
}

// Another receipt opened in this tab (a new #fragment) must never be shown under the last
// one's answer: the old answer goes before the new check is sent, and only the latest
// check's answer is shown, whichever arrives first.
let latest = 0;

async function check(body, form) {
  const mine = ++latest;
  result.classList.add("hidden");
  digest = null;
  document.getElementById("subject-result").textContent = "";
  say(live, "Makbuz doğrulanıyor…");
  try {
    const v = await api("POST", "/v1/receipts/verify", { body });
    if (mine === latest) show(v);
  } catch (err) {
    if (mine !== latest) return;
    if (form && err instanceof ApiError && err.errors.length && err.errors[0].field && form.querySelector(`[name="${err.errors[0].field}"]`)) {
      showErrors(form, err.errors, null);
    } else {
      say(live, err.message, "err");
    }
  }
}

// a receipt's token comes in the #fragment; another QR code opened in this tab changes only it
function fromHash() {
  const token = new URLSearchParams(location.hash.slice(1)).get("r");
  if (token) check({ token });
}
window.addEventListener("hashchange", fromHash);
fromHash();

byCode.addEventListener("submit", (e) => {
  e.preventDefault();
  check({ application_no: byCode.application_no.value.trim(), short_code: byCode.short_code.value.trim() }, byCode);
});

// The subject is not in the token, only its digest: the page compares what is typed here.
document.getElementById("subject-check").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = e.target.subject.value.trim().normalize("NFC");
  const out = document.getElementById("subject-result");
  if (!text || !digest) { out.textContent = "Makbuzdaki konuyu yazınız."; return; }
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
  out.textContent = hex === digest ? "Konu makbuzdakiyle aynı." : "Konu makbuzdakiyle aynı değil: makbuzdaki konu değiştirilmiş olabilir.";
});
