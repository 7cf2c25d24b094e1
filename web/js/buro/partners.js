// Open311 partner keys (admins only): the list with each key's use count, issuing a
// key (shown once, only its HMAC is stored) and revoking one.
import { clearErrors, el, fmtDateTime, say, showErrors } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { call, live, show } from "./session.js";

let issued = null;   // the key just issued: shown once, on this screen only

export async function renderPartners() {
  show("partners");
  const box = document.getElementById("view-partners");
  let data;
  try { data = await call("GET", "/v1/staff/partners"); }
  catch (e) { box.replaceChildren(el("p", { class: "notice err" }, e.message)); return; }
  const cat = await loadCatalog();
  const names = Object.fromEntries(cat.provinces.flatMap((p) => p.districts.map((d) => [d.code, `${d.name} (${p.name})`])));
  const parts = [el("h2", { id: "partners-title", tabindex: "-1" }, "Open311 ortak anahtarları"),
    el("p", { class: "hint" }, "Belediye uygulamaları, kiosklar ve sivil uygulamalar Open311 GeoReport v2 ile başvuru yapar ve izler. Anahtar yalnızca verildiği anda bir kez gösterilir; sistemde yalnızca parmak izi saklanır.")];
  if (issued) parts.push(keyPanel(issued));
  parts.push(table(data.partners, names), issueForm(cat));
  box.replaceChildren(...parts);
  if (issued) document.getElementById("issued-key").focus();
  issued = null;
}

function keyPanel({ partner, api_key }) {
  const code = el("code", { id: "issued-key", tabindex: "-1", class: "nowrap" }, api_key);
  const copy = el("button", { type: "button", class: "secondary", onclick: async () => {
    try { await navigator.clipboard.writeText(api_key); say(live, "Anahtar panoya kopyalandı.", "ok"); }
    catch { say(live, "Kopyalanamadı; anahtarı seçip elle kopyalayınız.", "err"); }
  } }, "Anahtarı kopyala");
  return el("section", { class: "card notice ok", "aria-labelledby": "issued-title" },
    el("h3", { id: "issued-title" }, `${partner.name} için anahtar verildi`),
    el("p", {}, "Bu anahtar bir daha gösterilmeyecek. Ortağa güvenli bir yoldan iletiniz:"),
    el("p", {}, code), el("div", { class: "actions" }, copy));
}

function table(partners, names) {
  return el("div", { class: "card table-wrap" }, el("table", { id: "partners-table" },
    el("caption", {}, "Verilen anahtarlar"),
    el("thead", {}, el("tr", {}, ["Ortak", "İrtibat", "İlçeler", "Sınır / dk", "Kullanım", "Son kullanım", "Durum", ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, partners.length ? partners.map((p) => el("tr", { "data-partner": p.id },
      el("td", {}, p.name), el("td", {}, p.contact),
      el("td", {}, p.districts.map((d) => names[d] || d).join(", ")),
      el("td", {}, String(p.rate_limit)), el("td", { class: "uses" }, String(p.uses)),
      el("td", {}, p.last_used_at ? fmtDateTime(p.last_used_at) : "Kullanılmadı"),
      el("td", { class: "state" }, p.active ? "Etkin" : `İptal edildi (${fmtDateTime(p.revoked_at)})`),
      el("td", { class: "actions flush" }, p.active ? el("button", { type: "button", class: "secondary", "aria-label": `${p.name} anahtarını iptal et`,
        onclick: () => revoke(p) }, "İptal et") : null,
        el("button", { type: "button", class: "secondary", "aria-label": `${p.name}: denetim kaydı`, onclick: () => audit(p) }, "Denetim kaydı"))))
      : el("tr", {}, el("td", { colspan: 8 }, "Henüz anahtar verilmedi.")))));
}

// Who issued and who revoked a key, when and from where (GET /v1/staff/admin-audit).
async function audit(p) {
  let data;
  try { data = await call("GET", `/v1/staff/admin-audit?subject=${encodeURIComponent("PARTNER-" + p.id)}`); }
  catch (e) { say(live, e.message, "err"); return; }
  const names = { issue_partner_key: "Anahtar verildi", revoke_partner_key: "Anahtar iptal edildi" };
  const box = document.getElementById("partner-audit") || el("div", { id: "partner-audit" });
  box.replaceChildren(el("div", { class: "card table-wrap" }, el("table", { id: "partner-audit-table" },
    el("caption", { tabindex: "-1" }, `${p.name}: denetim kaydı`),
    el("thead", {}, el("tr", {}, ["Zaman", "Kim", "İşlem"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, data.entries.map((e) => el("tr", {}, el("td", {}, fmtDateTime(e.at)), el("td", {}, e.actor),
      el("td", {}, names[e.action] || e.action)))))));
  document.getElementById("view-partners").append(box);
  box.querySelector("caption").focus();
}

async function revoke(p) {
  if (!window.confirm(`${p.name} anahtarı iptal edilsin mi? Ortağın uygulaması bu anahtarla artık başvuru yapamaz ve izleyemez.`)) return;
  try {
    await call("POST", `/v1/staff/partners/${encodeURIComponent(p.id)}/revoke`, {});
    await renderPartners();
    say(live, `${p.name} anahtarı iptal edildi.`, "ok");
  } catch (e) { say(live, e.message, "err"); }
}

function issueForm(cat) {
  const districts = el("select", { id: "p-districts", name: "districts", multiple: true, size: 8, required: true, "aria-describedby": "p-districts-hint" },
    cat.provinces.map((p) => el("optgroup", { label: p.name }, p.districts.map((d) => el("option", { value: d.code }, d.name)))));
  const form = el("form", { class: "card", id: "partner-form", novalidate: true },
    el("h3", {}, "Yeni anahtar ver"),
    el("div", { class: "field" }, el("label", { for: "p-name" }, "Ortağın adı"), el("input", { id: "p-name", name: "name", required: true, maxlength: 100 })),
    el("div", { class: "field" }, el("label", { for: "p-contact" }, "İrtibat (kişi ya da e-posta)"), el("input", { id: "p-contact", name: "contact", required: true, maxlength: 200 })),
    el("div", { class: "field" }, el("label", { for: "p-districts" }, "Başvuru alabileceği ilçeler"),
      el("p", { class: "hint", id: "p-districts-hint" }, "Birden fazla ilçe için Ctrl (Mac'te Cmd) tuşuna basılı tutarak seçiniz."), districts),
    el("div", { class: "field" }, el("label", { for: "p-rate" }, "Dakikalık çağrı sınırı"), el("input", { id: "p-rate", name: "rate_limit", type: "number", min: 1, max: 6000, value: 120, inputmode: "numeric" })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Anahtar ver")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { name: form.name.value.trim(), contact: form.contact.value.trim(),
      districts: [...districts.selectedOptions].map((o) => o.value), rate_limit: Number(form.rate_limit.value || 120) };
    try {
      issued = await call("POST", "/v1/staff/partners", body);
      await renderPartners();
      say(live, `${issued?.partner?.name || body.name} için anahtar verildi; bir kez gösterilir.`, "ok");
    } catch (err) {
      if (err.errors.length) showErrors(form, err.errors, live); else say(live, err.message, "err");
    }
  });
  return form;
}
