import { api, ApiError, el, fmtDate, fmtDateTime, OUTCOME, say, showErrors, STATUS } from "./api.js";
import { photosBox } from "./photos.js";
import { surveyBox } from "./survey.js";

const live = document.getElementById("live");
const form = document.getElementById("lookup");
const result = document.getElementById("result");
const params = new URLSearchParams(location.hash.slice(1));
if (params.get("no")) form.application_no.value = params.get("no");

let current = null;

// Opened from "Başvurularım" with a phone-verified session: no access code needed, for
// reading or for any action (reply, objection, photos, data); the code form is hidden.
const citizenToken = sessionStorage.getItem("acikkapi.citizen");
if (params.get("oturum") === "1" && citizenToken && params.get("no")) {
  form.classList.add("hidden");
  api("GET", `/v1/citizen/applications/${encodeURIComponent(params.get("no"))}`, { headers: { Authorization: `Bearer ${citizenToken}` } })
    .then((view) => { current = { no: params.get("no"), code: null, session: citizenToken }; render(view); })
    .catch((err) => {
      form.classList.remove("hidden");
      say(live, err.status === 401 ? "Oturumunuzun süresi doldu; Başvurularım sayfasından yeniden doğrulayınız ya da erişim kodunuzla sorgulayınız." : err.message, "err");
    });
}

// What shows the case is the citizen's: the access code, or her session.
function proof() {
  return current.code ? { "X-Access-Code": current.code } : { Authorization: `Bearer ${current.session}` };
}

function sessionExpired(err) {
  if (err.status === 401 && current && current.session) {
    sessionStorage.removeItem("acikkapi.citizen");
    form.classList.remove("hidden");
    return "Oturumunuzun süresi doldu; Başvurularım sayfasından yeniden doğrulayınız ya da erişim kodunuzla sorgulayınız.";
  }
  return err.message;
}

async function load() {
  const no = form.application_no.value.trim();
  const code = form.access_code.value.trim();
  const view = await api("GET", `/v1/applications/${encodeURIComponent(no)}`, { headers: { "X-Access-Code": code } });
  current = { no, code, session: null };
  render(view);
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  say(live, "");
  try {
    await load();
    // announce briefly in the page's one live region, and move the focus to the result
    say(live, `Başvurunuzun durumu: ${document.getElementById("status").textContent}.`, "ok");
    document.getElementById("result-heading").focus();
  }
  catch (err) {
    result.classList.add("hidden");
    if (err instanceof ApiError && err.errors.length && err.errors[0].field) showErrors(form, err.errors, live);
    say(live, err.message, "err");
  }
});

function render(v) {
  const canAct = Boolean(current.code || current.session);
  const final = v.final_answer ? el("section", { class: "card" },
    el("h2", { id: "view-final-heading" }, v.final_answer.under_review ? "İtiraz ettiğiniz cevap (yeniden değerlendiriliyor)" : "Cevap"),
    el("p", {}, el("span", { class: "badge ok" }, OUTCOME[v.final_answer.outcome] || v.final_answer.outcome), " ",
      el("time", { datetime: v.final_answer.at }, fmtDateTime(v.final_answer.at))),
    el("p", { id: "final-answer", style: "white-space:pre-wrap", translate: "no" }, v.final_answer.text),
    v.final_answer.legal_remedies ? [el("h3", {}, "Başvuru yolları"), el("p", { id: "legal-remedies", style: "white-space:pre-wrap", translate: "no" }, v.final_answer.legal_remedies)] : null,
    (v.final_answer.attachments || []).length ? [el("h3", {}, "Cevapla gönderilen belgeler"),
      el("ul", { id: "final-attachments" }, v.final_answer.attachments.map((f) => el("li", {},
        el("a", { href: f.url, rel: "noopener", download: f.filename }, f.filename), f.institution ? ` (${f.institution})` : ""))),
      el("p", { class: "hint" }, "Bağlantılar kısa süre geçerlidir; süresi dolarsa sayfayı yeniden sorgulayınız.")] : null,
    v.final_answer.replaces.length ? el("p", { class: "hint", id: "replaces" }, `Bu cevap, ${v.final_answer.replaces.map((x) => fmtDate(x.at)).join(", ")} tarihli önceki cevabın yerine geçer.`) : null) : null;
  result.replaceChildren(...[
    el("section", { class: "card" },
      el("h2", { id: "result-heading", tabindex: "-1" }, "Başvuru ", el("span", { class: "code" }, v.application_no)),
      el("dl", { class: "facts" },
        el("dt", {}, "Durum"), el("dd", { id: "status" }, STATUS[v.status] || v.status),
        el("dt", {}, "Konu"), el("dd", { translate: "no" }, v.subject),
        v.office ? [el("dt", {}, "Yürüten büro"), el("dd", { id: "office", translate: "no" }, v.office.name)] : null,
        el("dt", {}, "Alınma"), el("dd", {}, fmtDateTime(v.received_at)),
        el("dt", {}, "Yasal son gün"), el("dd", {}, v.legal_due_date ? fmtDate(v.legal_due_date) : "Yok (teşekkür başvurusu)"))),
    final,
    v.legal_remedies ? el("section", { class: "card", id: "remedies" }, el("h2", {}, "Başvuru yolları"), el("p", {}, v.legal_remedies)) : null,
    el("section", { class: "card" }, el("h2", {}, "Başvurunun seyri"),
      el("ol", { class: "timeline" }, v.history.map((h) => el("li", {},
        el("time", { datetime: h.at }, fmtDateTime(h.at)), el("strong", {}, STATUS[h.status] || h.status),
        h.note ? el("div", {}, h.note) : null)))),
    v.can_reply && canAct ? textForm("reply", "İstenen bilgiyi gönderin", "Cevabınız", "Gönder",
      (text) => api("POST", `/v1/applications/${encodeURIComponent(current.no)}/replies`,
        { body: { text }, headers: proof() })) : null,
    v.survey_token ? el("div", { id: "survey-slot" }) : null,
    v.can_object && canAct ? textForm("objection", "Sonuca itiraz", "İtiraz gerekçeniz", "İtiraz et",
      (reason) => api("POST", `/v1/applications/${encodeURIComponent(current.no)}/objection`,
        { body: { reason }, headers: proof() }),
      [`Sonuçlandıktan sonraki 30 gün içinde bir kez itiraz edebilirsiniz: ${fmtDate(v.objection_deadline)} günü sonuna kadar (İstanbul saatiyle 23.59).`,
        (v.law === "4982" ? " Bu itiraz büroya yapılır; Bilgi Edinme Değerlendirme Kuruluna kararın size bildirildiği tarihten itibaren 15 gün içinde itiraz etme sürenizi (4982 sayılı Kanun md. 13) durdurmaz. Kurula itiraz etmek istiyorsanız bu süreyi beklemeden ayrıca başvurunuz." : null)]) : null,
    canAct ? photosBox(current.no, proof(), v, live, renderAndFocus) : null,
    canAct && el("section", { class: "card", id: "my-data" }, el("h2", {}, "Kişisel verileriniz"),
      el("p", {}, "Bu başvuruda sizinle ilgili tutulan bütün verileri, iletildiği kurumları ve saklama süresini bir dosya olarak indirebilirsiniz (KVKK m. 11)."),
      el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", id: "download-data", onclick: downloadData }, "Verilerimi indir (JSON)")),
      el("p", { class: "hint" }, "Düzeltme ya da silme isteğinizi başvurunuzu yaptığınız valilik ya da kaymakamlık Açık Kapı bürosuna şahsen ya da yazılı olarak iletebilirsiniz; 30 gün içinde cevaplanır.")),
  ].filter(Boolean));
  result.classList.remove("hidden");
  if (v.survey_token) {
    surveyBox(v.survey_token, live).then((box) => document.getElementById("survey-slot")?.replaceWith(box))
      .catch(() => document.getElementById("survey-slot")?.remove());
  }
}

// After an action the page is drawn again: the focus goes to its heading, not to <body>.
function renderAndFocus(view) {
  render(view);
  document.getElementById("result-heading")?.focus();
}

async function downloadData() {
  try {
    const data = await api("GET", `/v1/applications/${encodeURIComponent(current.no)}/data`, { headers: proof() });
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const a = el("a", { href: URL.createObjectURL(blob), download: `acikkapi-${current.no}-verilerim.json` });
    document.body.append(a);
    a.click();
    a.remove();
    say(live, "Verileriniz indirildi.", "ok");
  } catch (e) { say(live, sessionExpired(e), "err"); }
}

// An objection can be made once and cannot be taken back: it is confirmed first.
const CONFIRM = { objection: "İtiraz bir kez yapılabilir ve geri alınamaz; başvurunuz yeniden değerlendirilir. Göndermek istiyor musunuz?" };

function textForm(id, title, label, action, send, hint) {
  const f = el("form", { class: "card", id: `${id}-form`, novalidate: true },
    el("h2", {}, title), hint ? el("p", { class: "hint" }, hint) : null,
    el("div", { class: "field" }, el("label", { for: `${id}-text` }, label),
      el("textarea", { id: `${id}-text`, name: id === "reply" ? "text" : "reason", required: true })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, action)));
  const go = async () => {
    try { renderAndFocus(await send(f.querySelector("textarea").value.trim())); say(live, "Kaydedildi.", "ok"); }
    catch (err) {
      // a field's error is said once: in the form's summary, which takes the focus
      if (err.errors && err.errors.length && err.errors[0].field) showErrors(f, err.errors, null);
      else say(live, sessionExpired(err), "err");
    }
  };
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!CONFIRM[id]) { await go(); return; }
    f.querySelector(`#${id}-confirm`)?.remove();
    const panel = el("div", { class: "notice", id: `${id}-confirm`, role: "alertdialog", "aria-labelledby": `${id}-confirm-text` },
      el("p", { id: `${id}-confirm-text` }, CONFIRM[id]),
      el("div", { class: "actions" },
        el("button", { type: "button", onclick: () => { panel.remove(); go(); } }, "Evet, itiraz et"),
        el("button", { type: "button", class: "secondary", onclick: () => { panel.remove(); f.querySelector("textarea").focus(); } }, "Vazgeç")));
    f.append(panel);
    panel.querySelector("button").focus();
  });
  return f;
}
