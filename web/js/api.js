// The public API, from the configured base URL (config.js). Errors keep the API's
// messages (in the page's language: Accept-Language) and field paths so that pages can
// show them beside their fields.
import "./brand.js";   // the deployment's own name and logo, on every page
import { lang, locale } from "./i18n.js";

const cfg = window.ACIKKAPI_CONFIG || {};
export const API_BASE = (cfg.apiBase || "").replace(/\/$/, "");

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || (status === 403 ? "Bu işlem için yetkiniz yok ya da oturumunuzun süresi doldu."
      : status >= 500 ? "Sunucuya şu anda ulaşılamıyor; lütfen tekrar deneyiniz." : "İstek yerine getirilemedi."));
    this.status = status;
    this.code = err.code || (body && body.Message ? "forbidden" : "error");
    this.errors = (body && body.errors) || (err.code ? [err] : []);
    this.body = body;
  }
}

export async function api(method, path, { body, headers } = {}) {
  let res;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(lang !== "tr" ? { "Accept-Language": lang } : {}), ...(headers || {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, { error: { code: "network", message: "Sunucuya ulaşılamadı. İnternet bağlantınızı kontrol ediniz." } });
  }
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const TR = locale;       // the page's language: 5 Ocak 2027, 5 January 2027
export const fmtDate = (iso) => iso ? new Date(iso.length === 10 ? iso + "T12:00:00+03:00" : iso)
  .toLocaleDateString(TR, { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Istanbul" }) : "—";   // 5 Ocak 2027, not 05
export const fmtDateTime = (iso) => iso ? new Date(iso).toLocaleString(TR, { day: "numeric", month: "long",
  year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Istanbul" }) : "—";

export const STATUS = {
  received: "Alındı", in_review: "İnceleniyor", forwarded: "Kuruma iletildi",
  awaiting_applicant: "Başvuru sahibinden bilgi bekleniyor", institution_answered: "Kurum cevap verdi",
  under_evaluation: "Değerlendiriliyor", concluded: "Sonuçlandı", not_processed: "İşleme alınmadı",
};
export const OUTCOME = { positive: "Olumlu", negative: "Olumsuz", informed: "Bilgi verildi / başka yola yönlendirildi",
  not_competent: "Görev alanı dışında", referred: "Yetkili mercie gönderildi" };
export const CHANNEL = { web: "İnternet", mobile: "Mobil uygulama", face_to_face: "Yüz yüze", phone: "Telefon",
  open311: "Open311 ortak uygulaması" };
export const ASSIGNMENT = { sent: "Gönderildi", answered: "Cevaplandı", returned: "İade edildi",
  redirected: "Görev alanı dışında", overdue: "Süresi geçti", closed: "Kapatıldı (cevap beklenmiyor)",
  referred: "Makama gönderildi (cevap beklenmiyor)" };

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;      // through the CSSOM: the CSP allows no style attribute
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

// Field errors: beside their fields, announced through the page's aria-live region.
export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  const summary = form.querySelector(":scope > .error-summary");
  if (summary) { summary.remove(); document.title = document.title.replace(/^Hata: /, ""); }
  form.querySelectorAll("[aria-invalid]").forEach((n) => { n.removeAttribute("aria-invalid"); n.removeAttribute("aria-describedby"); });
}

export function showErrors(form, errors, live) {
  clearErrors(form);
  let first = null;
  const unplaced = [];
  for (const e of errors) {
    const field = e.field && form.querySelector(`[name="${CSS.escape(e.field)}"]`) ||
      (e.field && form.querySelector(`[name="${CSS.escape(e.field.split(".")[0])}"]`));
    if (!field) { unplaced.push(e.message); continue; }
    const id = `err-${(e.field || "x").replace(/[^a-z0-9]/gi, "-")}`;
    if (!document.getElementById(id)) {
      const msg = el("p", { class: "field-error", id }, e.message);
      (field.closest(".field") || field.parentElement).append(msg);
    }
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", id);
    first = first || field;
  }
  const summary = errors.length === 1 ? errors[0].message : `${errors.length} alanda düzeltme gerekiyor. ${errors[0].message}`;
  if (live) live.textContent = unplaced.length ? unplaced.join(" ") : summary;
  const box = errorSummary(form, errors);
  if (box) box.focus(); else if (first) first.focus();
}

// GOV.UK's error summary: at the top of the form, a heading and a link to each field at
// fault, focused; the page title starts with "Hata:" until the form is right.
const TITLE = document.title.replace(/^Hata: /, "");
export function errorSummary(form, errors) {
  let box = form.querySelector(":scope > .error-summary");
  if (!errors.length) { if (box) box.remove(); document.title = TITLE; return null; }
  if (!box) {
    box = el("div", { class: "error-summary", tabindex: "-1", role: "group", "aria-labelledby": `${form.id || "form"}-error-title` });
    form.prepend(box);
  }
  box.replaceChildren(
    el("h2", { id: `${form.id || "form"}-error-title` }, errors.length === 1 ? "Düzeltmeniz gereken bir alan var" : `Düzeltmeniz gereken ${errors.length} alan var`),
    el("ul", {}, errors.map((e) => {
      const field = e.field && (form.querySelector(`[name="${CSS.escape(e.field)}"]`) || form.querySelector(`[name="${CSS.escape(e.field.split(".")[0])}"]`));
      return el("li", {}, field && field.id ? el("a", { href: `#${field.id}`, onclick: (ev) => { ev.preventDefault(); field.focus(); } }, e.message) : e.message);
    })));
  document.title = `Hata: ${TITLE}`;
  return box;
}

// Each page has one live region, always in the page (a region that is display:none when
// text arrives is often not read out). Empty, it takes no room.
export function say(live, text, kind = "") {
  live.className = `notice live ${kind}`.trim();
  live.textContent = text;
  // an error (a lost connection) must be seen where the person is, also at 360 px
  if (text && kind === "err" && live.getBoundingClientRect().top < 0) live.scrollIntoView({ block: "start" });
}

// A case's place as one line: "Cevizli Mahallesi, Bağdat Caddesi No 5".
export function placeText(p) {
  return [p.neighbourhood, p.street].filter(Boolean).join(", ");
}
