// Pickers filled from GET /v1/catalog: type, heading -> subject, province -> district.
import { api, el } from "./api.js";

let cached = null;
export async function loadCatalog() {
  cached = cached || await api("GET", "/v1/catalog");
  return cached;
}

function fill(select, items, placeholder) {
  select.replaceChildren(el("option", { value: "" }, placeholder),
    ...items.map((i) => el("option", { value: i.code }, i.name)));
}

// The district's neighbourhoods and villages, for the optional place picker (a native
// <select>: type-ahead by keyboard, read out by screen readers, no map needed).
let placeLoading = Promise.resolve();
export const placeLoaded = () => placeLoading;

async function fillNeighbourhoods(select, district) {
  select.disabled = true;
  if (!district) { fill(select, [], "Önce ilçeyi seçiniz"); return; }
  fill(select, [], "Yükleniyor…");
  try {
    const res = await api("GET", `/v1/catalog/neighbourhoods/${encodeURIComponent(district)}`);
    const names = res.neighbourhoods || [];
    select.replaceChildren(el("option", { value: "" }, names.length ? "Seçiniz (isteğe bağlı)" : "Bu yer için mahalle seçilmez"),
      ...names.map((n) => el("option", { value: n }, n)));
    select.disabled = !names.length;
  } catch (e) {
    fill(select, [], "Liste şu an yüklenemedi; adresi açıklamaya yazabilirsiniz");
  }
}

export async function wirePickers(form) {
  const cat = await loadCatalog();
  const type = form.querySelector("[name=type]");
  const heading = form.querySelector("#heading");
  const category = form.querySelector("[name=category]");
  const province = form.querySelector("#province");
  const district = form.querySelector("[name=district]");
  fill(type, cat.types, "Seçiniz");
  fill(heading, cat.headings, "Seçiniz");
  fill(category, [], "Önce konu başlığını seçiniz");
  fill(province, cat.provinces, "Seçiniz");
  fill(district, [], "Önce ili seçiniz");
  heading.addEventListener("change", () => {
    const h = cat.headings.find((x) => x.code === heading.value);
    fill(category, h ? h.subjects : [], h ? "Seçiniz" : "Önce konu başlığını seçiniz");
  });
  province.addEventListener("change", () => {
    const p = cat.provinces.find((x) => x.code === province.value);
    fill(district, p ? p.districts : [], p ? "Seçiniz" : "Önce ili seçiniz");
    district.dispatchEvent(new Event("change"));
  });
  const neighbourhood = form.querySelector("[name='place.neighbourhood']");
  if (neighbourhood && !neighbourhood.dataset.wired) {
    neighbourhood.dataset.wired = "1";
    fill(neighbourhood, [], "Önce ilçeyi seçiniz");
    neighbourhood.disabled = true;
    district.addEventListener("change", () => { placeLoading = fillNeighbourhoods(neighbourhood, district.value); });
  }
  return cat;
}

export function formValue(form, name) {
  const f = form.querySelector(`[name="${name}"]`);
  return f ? f.value.trim() : "";
}

// The fields of an application form, in the API's shape (shared by the citizen
// form and the desk intake form).
export function applicationBody(form) {
  const v = (n) => formValue(form, n);
  const body = {
    type: v("type"), category: v("category"), district: v("district"), subject: v("subject"),
    description: v("description"),
    applicant: { national_id: v("applicant.national_id"), first_name: v("applicant.first_name"),
      last_name: v("applicant.last_name"), phone: v("applicant.phone"), address: v("applicant.address") },
    // the citizen ticks the notice on the first step; at the desk the clerk ticks that it was given
    kvkk_acknowledged: !!(form.querySelector("[name=kvkk_acknowledged]") || document.getElementById("kvkk-ack") || {}).checked,
  };
  if (v("applicant.email")) body.applicant.email = v("applicant.email");
  const conf = form.querySelector("[name=confidential_identity]");
  if (conf && conf.checked) body.confidential_identity = true;
  if (v("place.neighbourhood")) {
    body.place = { neighbourhood: v("place.neighbourhood") };
    if (v("place.street")) body.place.street = v("place.street");
  }
  const loc = v("location");
  if (loc) body.location = JSON.parse(loc);
  return body;
}

export function clientChecks(form, body, isValidNationalId, normaliseMobile) {
  // every field at once, each message saying what to do (the server checks the same again)
  const errors = [];
  const a = body.applicant;
  const need = [["type", "Başvuru türünü seçiniz."], ["heading", "Konu başlığını seçiniz."], ["category", "Alt konuyu seçiniz."],
    ["province", "İli seçiniz."], ["district", "İlçeyi seçiniz."]];
  for (const [f, m] of need) if (!(f === "heading" || f === "province" ? form[f] && form[f].value : body[f])) errors.push({ field: f, message: m });
  const text = (v) => (v || "").trim().length;
  if (text(body.subject) < 3) errors.push({ field: "subject", message: text(body.subject) ? "Konuyu en az 3 karakterle yazınız." : "Başvurunuzun konusunu yazınız." });
  if (text(body.description) < 10) errors.push({ field: "description", message: text(body.description) ? "Açıklamayı en az 10 karakterle yazınız." : "Başvurunuzu açıklayınız: ne oldu, nerede, ne zamandan beri?" });
  if (!isValidNationalId(a.national_id))
    errors.push({ field: "applicant.national_id", message: text(a.national_id) ? "T.C. Kimlik No / YKN geçersiz: 11 haneli, doğrulama basamakları tutan bir numara giriniz." : "T.C. kimlik numaranızı ya da yabancı kimlik numaranızı giriniz." });
  if (text(a.first_name) < 2) errors.push({ field: "applicant.first_name", message: "Adınızı giriniz." });
  if (text(a.last_name) < 2) errors.push({ field: "applicant.last_name", message: "Soyadınızı giriniz." });
  if (!normaliseMobile(a.phone))
    errors.push({ field: "applicant.phone", message: text(a.phone) ? "Cep telefonu geçersiz: 05XX XXX XX XX biçiminde bir Türkiye cep numarası giriniz." : "Cep telefonu numaranızı giriniz: başvuru numaranız SMS ile gelir." });
  if (text(a.address) < 10) errors.push({ field: "applicant.address", message: text(a.address) ? "Adresinizi mahalle, sokak ve numarasıyla giriniz (en az 10 karakter)." : "Adresinizi giriniz." });
  if (a.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a.email)) errors.push({ field: "applicant.email", message: "E-posta adresini ad@ornek.com biçiminde giriniz ya da boş bırakınız." });
  return errors;
}
