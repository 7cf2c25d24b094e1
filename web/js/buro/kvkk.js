// KVKK for the district's supervisor: data-subject requests (art. 11: register, find the
// person's applications, a printable copy, correction, early erasure, the reasoned
// answer within 30 days) and the destruction log of the monthly runs.
import { clearErrors, el, fmtDate, fmtDateTime, say, showErrors, STATUS } from "../api.js";
import { call, live, show } from "./session.js";

const KINDS = [["info", "Hangi verilerimin işlendiğini öğrenmek istiyorum"], ["copy", "Verilerimin bir örneğini istiyorum"],
  ["correction", "Verilerimin düzeltilmesini istiyorum"], ["erasure", "Verilerimin silinmesini istiyorum"]];
const CHANNELS = [["in_person", "Şahsen, büroda"], ["letter", "Yazılı dilekçe"], ["kep", "KEP"], ["email", "Sistemde kayıtlı e-posta"]];
const FIELDS = [["first_name", "Ad"], ["last_name", "Soyad"], ["address", "Adres"], ["phone", "Cep telefonu"]];
const RECORD = { case: "Başvuru dosyasındaki kişisel veriler", attachment: "Ek dosya", survey: "Anket yorumu" };

const field = (id, label, control, hint) => el("div", { class: "field" }, el("label", { for: id }, label),
  hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null, control);
const select = (id, name, options) => el("select", { id, name }, el("option", { value: "" }, "Seçiniz"), options.map(([v, t]) => el("option", { value: v }, t)));

export async function renderKvkk() {
  show("kvkk");
  const box = document.getElementById("view-kvkk");
  let list, log;
  try { [list, log] = await Promise.all([call("GET", "/v1/staff/kvkk/requests"), call("GET", "/v1/staff/destruction-log")]); }
  catch (e) { box.replaceChildren(el("p", { class: "notice err" }, e.message)); return; }
  box.replaceChildren(
    el("h2", { id: "kvkk-title", tabindex: "-1" }, "KVKK: ilgili kişi başvuruları"),
    el("p", { class: "hint" }, "KVKK 11. madde başvuruları en geç 30 gün içinde cevaplanır (m. 13). Son günden 5 gün önce büroya e-posta ile hatırlatılır."),
    requestsTable(list.requests), registerForm(),
    el("section", { class: "card" }, el("h2", {}, "İmha kayıtları"),
      el("p", { class: "hint" }, "Saklama süresi dolan başvuruların kişisel verileri her ay imha edilir. Kayıtlar 3 yıl saklanır ve kişisel veri içermez."),
      logTable(log.entries)));
}

function requestsTable(requests) {
  return el("div", { class: "card table-wrap" }, el("table", { id: "kvkk-requests" },
    el("caption", {}, "Açık başvurular, son güne göre"),
    el("thead", {}, el("tr", {}, ["Numara", "İstek", "Kimlik No", "Alındı", "Son gün"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, requests.length ? requests.map((r) => el("tr", {},
      el("td", {}, el("a", { href: `#${r.id}`, onclick: (e) => { e.preventDefault(); openRequest(r.id); } }, r.id)),
      el("td", {}, r.kind_name), el("td", {}, r.national_id_masked), el("td", {}, fmtDate(r.received_on)),
      el("td", {}, fmtDate(r.due_on))))
      : el("tr", {}, el("td", { colspan: 5 }, "Açık ilgili kişi başvurusu yok.")))));
}

function logTable(entries) {
  return el("div", { class: "table-wrap" }, el("table", { id: "destruction-log" },
    el("thead", {}, el("tr", {}, ["Zaman", "Başvuru", "İmha edilen", "Kural", "İş"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, entries.length ? entries.map((e) => el("tr", {}, el("td", {}, fmtDateTime(e.at)), el("td", {}, e.application_no),
      el("td", {}, RECORD[e.record] || e.record), el("td", {}, e.rule), el("td", {}, e.run_id)))
      : el("tr", {}, el("td", { colspan: 5 }, "Henüz imha kaydı yok.")))));
}

function registerForm() {
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Istanbul" });
  const form = el("form", { class: "card", id: "kvkk-register", novalidate: true }, el("h2", {}, "Yeni başvuru kaydet"),
    field("k-national_id", "T.C. Kimlik No / YKN", el("input", { id: "k-national_id", name: "national_id", inputmode: "numeric", maxlength: 11, autocomplete: "off" })),
    field("k-kind", "İstek", select("k-kind", "kind", KINDS)),
    field("k-channel", "Nasıl geldi", select("k-channel", "channel", CHANNELS)),
    field("k-received_on", "Alındığı gün", el("input", { id: "k-received_on", name: "received_on", type: "date", value: today, max: today })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Kaydet")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const r = await call("POST", "/v1/staff/kvkk/requests", { national_id: form.national_id.value.trim(), kind: form.kind.value,
        channel: form.channel.value, received_on: form.received_on.value });
      say(live, `${r.id} kaydedildi; son gün ${fmtDate(r.due_on)}.`, "ok");
      await openRequest(r.id);
    } catch (err) { if (err.errors.length) showErrors(form, err.errors, live); else say(live, err.message, "err"); }
  });
  return form;
}

async function openRequest(id) {
  show("kvkk");
  const box = document.getElementById("view-kvkk");
  let d;
  try { d = await call("GET", `/v1/staff/kvkk/requests/${encodeURIComponent(id)}`); }
  catch (e) { say(live, e.message, "err"); return; }
  const r = d.request;
  box.replaceChildren(
    el("div", { class: "actions no-print", style: "margin-top:0" }, el("button", { type: "button", class: "secondary", onclick: renderKvkk }, "← KVKK başvurularına dön")),
    el("section", { class: "card no-print" }, el("h2", { id: "kvkk-request-title", tabindex: "-1" }, `İlgili kişi başvurusu ${r.id}`),
      el("dl", { class: "facts" }, el("dt", {}, "İstek"), el("dd", {}, r.kind_name), el("dt", {}, "Kimlik No"), el("dd", {}, r.national_id_masked),
        el("dt", {}, "Geliş"), el("dd", {}, r.channel_name), el("dt", {}, "Alındı"), el("dd", {}, fmtDate(r.received_on)),
        el("dt", {}, "Son gün"), el("dd", {}, fmtDate(r.due_on)), el("dt", {}, "Durum"), el("dd", { id: "kvkk-status" }, r.status === "open" ? "Açık" : `Cevaplandı (${fmtDateTime(r.closed_at)})`),
        r.answer ? [el("dt", {}, "Cevap"), el("dd", {}, r.answer)] : null)),
    el("section", { class: "card no-print" }, el("h2", {}, "Kişinin bu ilçedeki başvuruları"),
      d.applications.length ? el("div", { class: "table-wrap" }, el("table", { id: "kvkk-applications" },
        el("thead", {}, el("tr", {}, ["Numara", "Konu", "Durum", "Alındı", "Saklama sonu", "Silme"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, d.applications.map((a) => el("tr", { "data-no": a.application_no },
          el("td", {}, a.application_no), el("td", {}, a.subject), el("td", {}, STATUS[a.status] || a.status),
          el("td", {}, fmtDate(a.received_at)), el("td", {}, a.retention_ends_on ? fmtDate(a.retention_ends_on) : "Sonuçlanınca başlar"),
          el("td", {}, a.erasable && r.status === "open" ? el("button", { type: "button", class: "secondary", "aria-label": `${a.application_no} verilerini sil`,
            onclick: () => erase(r, a) }, "Sil") : el("span", { class: "hint" }, a.erasure_refusal || "—")))))))
        : el("p", {}, "Bu kimlik numarasıyla bu ilçede başvuru bulunamadı.")),
    el("div", { class: "actions no-print" }, el("button", { type: "button", id: "kvkk-copy", onclick: () => printCopy(r) }, "Veri örneğini hazırla (yazdırılabilir)")),
    el("section", { id: "kvkk-copy-view" }),
    r.status === "open" && d.applications.length ? correctionForm(r, d.applications) : null,
    r.status === "open" ? closeForm(r) : null);
  document.getElementById("kvkk-request-title").focus();
}

async function erase(r, a) {
  if (!window.confirm(`${a.application_no} numaralı başvurudaki kişisel veriler geri döndürülemez biçimde silinecek. Devam edilsin mi?`)) return;
  try {
    await call("POST", `/v1/staff/kvkk/requests/${encodeURIComponent(r.id)}/erase`, { application_no: a.application_no, reason: "İlgili kişinin KVKK m. 11 silme isteği." });
    await openRequest(r.id);
    say(live, `${a.application_no} başvurusundaki kişisel veriler silindi ve imha kaydına yazıldı.`, "ok");
  } catch (e) { say(live, e.message, "err"); }
}

async function printCopy(r) {
  let c;
  try { c = await call("GET", `/v1/staff/kvkk/requests/${encodeURIComponent(r.id)}/copy`); }
  catch (e) { say(live, e.message, "err"); return; }
  r.version = c.request.version;          // the export is logged on the request
  const view = document.getElementById("kvkk-copy-view");
  const rows = (pairs) => el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "").map(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))]));
  view.replaceChildren(el("article", { class: "card printable", id: "kvkk-copy-doc" },
    el("h2", {}, "Kişisel veri örneği (KVKK m. 11)"),
    el("p", {}, `Veri sorumlusu: ${c.controller}. Hazırlanma: ${fmtDateTime(c.generated_at)}. Başvuru: ${r.id}.`),
    c.applications.length ? c.applications.map((a) => el("section", {}, el("h3", {}, `Başvuru ${a.application_no}`),
      rows([["Ad", a.applicant.first_name], ["Soyad", a.applicant.last_name], ["T.C. Kimlik No", a.applicant.national_id],
        ["Cep telefonu", a.applicant.phone], ["E-posta", a.applicant.email], ["Adres", a.applicant.address],
        ["Konu", a.subject], ["Açıklama", a.description], ["Durum", STATUS[a.status] || a.status], ["Alındı", fmtDateTime(a.received_at)],
        ["Aktarılan kurumlar", a.recipients.map((x) => x.name).join(", ") || "Yok"],
        ["Saklama", a.retention.ends_on ? `${fmtDate(a.retention.ends_on)} tarihine kadar (${a.retention.ground})` : `Sonuçlanmasından itibaren ${a.retention.years} yıl (${a.retention.ground})`]]),
      a.citizen_replies.length ? el("p", {}, `Gönderdiğiniz ek bilgiler: ${a.citizen_replies.map((x) => x.text).join(" · ")}`) : null))
      : el("p", {}, "Bu ilçede bu kişiye ait kayıt bulunmamaktadır."),
    el("div", { class: "actions no-print" }, el("button", { type: "button", class: "secondary", onclick: () => window.print() }, "Yazdır"),
      el("a", { class: "button secondary", href: URL.createObjectURL(new Blob([JSON.stringify(c, null, 2)], { type: "application/json" })), download: `${r.id}-veri-ornegi.json` }, "JSON indir"))));
  say(live, "Veri örneği hazırlandı; bu dışa aktarım kayda geçti.", "ok");
  view.querySelector("h2").setAttribute("tabindex", "-1");
  view.querySelector("h2").focus();
}

function correctionForm(r, applications) {
  const form = el("form", { class: "card no-print", id: "kvkk-correct", novalidate: true }, el("h2", {}, "Düzeltme"),
    field("c-application_no", "Başvuru", select("c-application_no", "application_no", applications.map((a) => [a.application_no, `${a.application_no} · ${a.subject}`]))),
    field("c-field", "Düzeltilecek alan", select("c-field", "field", FIELDS)),
    field("c-value", "Doğru değer", el("input", { id: "c-value", name: "value", autocomplete: "off" })),
    field("c-reason", "Gerekçe", el("textarea", { id: "c-reason", name: "reason", rows: 2 })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Düzelt")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const a = applications.find((x) => x.application_no === form.application_no.value);
    try {
      await call("POST", `/v1/staff/kvkk/requests/${encodeURIComponent(r.id)}/correct`, { application_no: form.application_no.value,
        field: form.field.value, value: form.value.value.trim(), reason: form.reason.value.trim(), version: a ? a.version : 0 });
      await openRequest(r.id);
      say(live, "Düzeltildi; değişiklik başvurunun kaydına ve denetim izine yazıldı.", "ok");
    } catch (err) { if (err.errors.length && err.errors[0].field) showErrors(form, err.errors, live); else say(live, err.message, "err"); }
  });
  return form;
}

function closeForm(r) {
  const form = el("form", { class: "card no-print", id: "kvkk-close", novalidate: true }, el("h2", {}, "Gerekçeli cevapla kapat"),
    field("k-answer", "Cevap (ilgili kişiye bildirilecek metin, en az 20 karakter)", el("textarea", { id: "k-answer", name: "answer", rows: 4 })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Cevapla ve kapat")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await call("POST", `/v1/staff/kvkk/requests/${encodeURIComponent(r.id)}/close`, { answer: form.answer.value.trim(), version: r.version });
      await openRequest(r.id);
      say(live, "Başvuru cevaplandı ve kapatıldı.", "ok");
    } catch (err) { if (err.errors.length && err.errors[0].field) showErrors(form, err.errors, live); else say(live, err.message, "err"); }
  });
  return form;
}
