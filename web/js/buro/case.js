// One case: the facts, the timeline, the institutions and their answers, and a form
// for each action the server says this user may take now.
import { ASSIGNMENT, CHANNEL, el, fmtDate, fmtDateTime, OUTCOME, placeText, say, showErrors, STATUS } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { call, go, live, show } from "./session.js";

export async function openCase(no) {
  try { renderCase(await call("GET", `/v1/staff/cases/${encodeURIComponent(no)}`)); }
  catch (e) { say(live, e.message, "err"); }
}

let catalog = null;

function renderCase(c) {
  show("case");
  const box = document.getElementById("view-case");
  const actions = new Set(c.allowed_actions);
  const idLine = el("span", { id: "nid" }, c.applicant.national_id_masked);
  const parts = [
    el("div", { class: "actions no-print", style: "margin-top:0" }, el("button", { type: "button", class: "secondary", onclick: () => go("queue") }, "← Kuyruğa dön")),
    el("section", { class: "card" },
      el("h2", { id: "case-title", tabindex: "-1" }, `Başvuru ${c.application_no}`),
      el("dl", { class: "facts" },
        el("dt", {}, "Durum"), el("dd", { id: "case-status" }, STATUS[c.status] || c.status),
        el("dt", {}, "Tür / konu"), el("dd", {}, `${c.type_name} · ${c.category_name}`),
        el("dt", {}, "Kanal"), el("dd", { id: "case-channel" }, CHANNEL[c.channel] || c.channel, c.partner_name ? ` · ${c.partner_name}` : null),
        c.media_url ? [el("dt", {}, "Fotoğraf bağlantısı"), el("dd", {}, el("a", { href: c.media_url, rel: "noopener noreferrer nofollow", target: "_blank" }, "Ortak uygulamadaki fotoğraf (yeni sekmede)"))] : null,
        el("dt", {}, "Alınma"), el("dd", {}, fmtDateTime(c.received_at)),
        el("dt", {}, "Yasal son gün"), el("dd", { id: "case-due" }, c.legal_due_date ? `${fmtDate(c.legal_due_date)} (${c.days_left} gün)${c.extended ? " · uzatıldı" : ""}${c.reopened_on ? ` · ${fmtDate(c.reopened_on)} tarihinde yeniden açıldı` : ""}` : "Yok: teşekkür başvurusu, cevap süresi işlemez"),
        c.possible_repeat ? [el("dt", {}, "Olası tekrar"), el("dd", { id: "case-repeat" },
          c.possible_repeat.dismissed ? `${c.possible_repeat.of} ile benzerlik işareti kaldırıldı: ${c.possible_repeat.dismissed.reason}`
            : [el("span", { class: "badge overdue" }, "olası tekrar"), ` ${c.possible_repeat.of} numaralı önceki başvuruya benziyor (“${c.possible_repeat.subject}”, %${c.possible_repeat.score}). Önceki başvuru açıksa bununla birleştirebilir ya da işareti gerekçeyle kaldırabilirsiniz.`])] : null,
        el("dt", {}, "Aynı kişinin başvuruları"), el("dd", { id: "same-applicant" }, el("button", { type: "button", class: "secondary", id: "same-applicant-load",
          onclick: async (e) => { try { const r = await call("GET", `/v1/staff/cases/${c.application_no}/same-applicant`); e.target.replaceWith(r.applications.length ? el("ul", {}, r.applications.map((a) => el("li", {}, `${a.application_no} · ${a.subject} · ${STATUS[a.status] || a.status} · ${fmtDate(a.received_at)}`))) : "Başka başvurusu yok."); say(live, "Bu sorgu kayda geçti.", "ok"); } catch (err) { say(live, err.message, "err"); } } }, "Göster (kayda geçer)")),
        c.anonymised_at ? [el("dt", {}, "Kişisel veriler"), el("dd", { id: "case-anonymised" }, el("span", { class: "badge" }, `Saklama süresi doldu; ${fmtDateTime(c.anonymised_at)} tarihinde imha edildi`))] : null,
        c.referral ? [el("dt", {}, "Gönderildiği makam"), el("dd", { id: "case-referral" }, `${c.referral.authority} (${c.referral.source}) · ${fmtDateTime(c.referral.at)}`)] : null,
        c.legal_hold ? [el("dt", {}, "Yasal saklama"), el("dd", { id: "case-hold" }, el("span", { class: "badge overdue" }, `Saklamada: ${c.legal_hold.reason}`))] : null,
        c.confidential_identity ? [el("dt", {}, "Kimlik gizliliği"), el("dd", { id: "case-confidential" }, el("span", { class: "badge overdue" }, "Kimlik kurumlardan gizli"))] : null,
        c.place ? [el("dt", {}, "Yer"), el("dd", {}, placeText(c.place))] : null,
        c.location ? [el("dt", {}, "Konum"), el("dd", {}, `${c.location.lat}, ${c.location.lon}`)] : null,
        c.location ? [el("dt", {}, "İlgili olabilir"), el("dd", { id: "case-related" }, "Yakındaki başvurular aranıyor…")] : null,
        el("dt", {}, "Başvuru sahibi"), el("dd", {}, `${c.applicant.first_name} ${c.applicant.last_name}`, c.phone_verified ? [" ", el("span", { class: "badge ok", id: "case-verified", title: "Başvuru, cep telefonuna gönderilen kodla doğrulanmış bir oturumda yapıldı: telefonun başvurana ait olduğunu gösterir, kimliğini değil" }, "telefon doğrulandı")] : null),
        c.held_messages && c.held_messages.length ? [el("dt", {}, "Gönderilmeyen SMS"), el("dd", { id: "case-held" },
          el("span", { class: "badge overdue" }, "günlük SMS sınırı"), " Bu telefona bugün gönderilebilecek SMS sayısı doldu; gönderilmeyenler: ",
          c.held_messages.map((h) => `${h.name} (${fmtDateTime(h.at)})`).join(", "), ". Numara başkasına ait olabilir; gerekirse başvuru sahibine başka yoldan ulaşınız.")] : null,
        el("dt", {}, "Kimlik doğrulama"), el("dd", { id: "case-identity" }, c.identity_verification === "desk" ? "Kimlik kartı masada görüldü (3071 md. 4: imzalı sayılır)"
          : (c.channel === "face_to_face" || c.channel === "phone") ? "Kimlik kartı görülmedi" : "Doğrulanmadı: elektronik başvuru, kimlik doğrulaması yapılmadı (3071 md. 4 ve 6/c)"),
        el("dt", {}, "T.C. Kimlik No"), el("dd", {}, idLine, " ", actions.size ? el("button", { type: "button", class: "secondary", id: "reveal",
          onclick: async () => { try { const r = await call("POST", `/v1/staff/cases/${c.application_no}/reveal`, {}); idLine.textContent = `${r.national_id} · ${r.phone}`; say(live, "Kimlik bilgisi gösterildi; bu görüntüleme kayıt altına alındı.", "ok"); } catch (e) { say(live, e.message, "err"); } } }, "Göster (kayda geçer)") : null),
        el("dt", {}, "Telefon"), el("dd", {}, c.applicant.phone_masked),
        c.citizen_attachments && c.citizen_attachments.length ? [el("dt", {}, "Vatandaşın dosyaları"), el("dd", { id: "case-citizen-files" },
          c.citizen_attachments.map((f) => [el("a", { href: f.url, target: "_blank", rel: "noopener" }, f.filename), " "]))] : null,
        el("dt", {}, "Adres"), el("dd", {}, c.applicant.address),
        c.review_reason ? [el("dt", {}, "İnceleme nedeni"), el("dd", {}, c.review_reason)] : null),
      el("h3", {}, c.subject), el("p", { style: "white-space:pre-wrap" }, c.description),
      c.final_answer ? el("div", { class: "notice ok" }, el("strong", {}, `Sonuç: ${c.answer_owed ? OUTCOME[c.outcome] : "Teşekkür alındı"}. `), c.final_answer,
        c.legal_remedies ? el("div", {}, el("strong", {}, "Başvuru yolları: "), c.legal_remedies) : null) : null,
      c.final_answers.length > 1 ? el("details", { id: "earlier-answers" }, el("summary", {}, `Önceki son cevaplar (${c.final_answers.length - 1})`),
        c.final_answers.slice(0, -1).map((x) => el("p", {}, el("strong", {}, `${fmtDateTime(x.at)} · ${OUTCOME[x.outcome] || x.outcome}: `), x.answer))) : null),
    el("div", { class: "split" },
      el("section", { class: "card" }, el("h2", {}, "Süreç"), el("ol", { class: "timeline" }, c.history.map((h) =>
        el("li", { class: h.public ? "" : "internal" }, el("time", {}, fmtDateTime(h.at)),
          el("strong", {}, `${h.status_name}${h.public ? "" : " · iç not"}`), h.note ? el("div", {}, h.note) : null,
          el("div", { class: "hint" }, h.actor_name))))),
      el("section", { class: "card" }, el("h2", {}, "Kurumlar"), c.assignments.length ? c.assignments.map((a) => assignmentCard(c, a, actions))
        : el("p", {}, "Henüz kuruma iletilmedi."), c.notes.length ? [el("h3", {}, "Notlar"), c.notes.map((n) => el("p", {}, el("strong", {}, NOTE_KIND[n.kind] || ""), n.text || ""))] : null)),
  ];
  if (c.location) loadRelated(c, actions.has("forward"));
  const fixed = parts.length;
  if (actions.has("triage")) parts.push(triageForm(c));
  if (actions.has("forward")) parts.push(forwardForm(c));
  if (actions.has("request-info")) parts.push(actionForm(c, "request-info", "Ek bilgi iste", [["message", "Başvuru sahibine iletilecek soru", "textarea"]], "İste"));
  if (actions.has("information-received")) parts.push(actionForm(c, "information-received", "Ek bilgi alındı", [["channel", "Nasıl alındı", [["desk", "Masada"], ["phone", "Telefonla"]]], ["text", "Alınan bilgi", "textarea"]], "Kaydet ve kuyruğa döndür"));
  if (actions.has("extend")) parts.push(actionForm(c, "extend", "Süreyi uzat (4982 md. 11)", [["ground", "Uzatma gerekçesi", (c.extension_grounds || []).map((g) => [g.code, g.name])], ["explanation", "Açıklama (başvuru sahibine bildirilir)", "textarea"]], "30 iş gününe uzat"));
  if (actions.has("interim-answer")) parts.push(actionForm(c, "interim-answer", "Ara cevap", [["text", "Ara bilgi (SMS ile gider)", "textarea"]], "Gönder"));
  if (actions.has("acknowledge")) parts.push(acknowledgeForm(c));
  if (actions.has("conclude")) parts.push(actionForm(c, "conclude", "Sonuçlandır", [["outcome", "Sonuç", Object.entries(OUTCOME).filter(([k]) => k !== "referred")], ["answer", "Gerekçeli cevap (en az 20 karakter; kimlik ya da telefon numarası yazmayınız: cevabı dosyayı okuyan herkes görür)", "textarea"],
    ...(c.law === "4982" ? [["partly_refused", "Bilgi kısmen reddedildi", "checkbox"]] : []),
    ["remedies_note", "Başvuru yollarına ekleyeceğiniz açıklama (isteğe bağlı)", "textarea"]], "Sonuçlandır",
    withRemedies(c, releaseOptions(c))));
  if (actions.has("refer")) parts.push(actionForm(c, "refer", "Yetkili mercie gönder", [["ground", "Gönderme gerekçesi", (c.referral_grounds || []).map((g) => [g.code, g.name])],
    ["institution_id", "Gönderilecek makam", (c.district_institutions || []).map((i) => [i.id, i.name])], ["explanation", "Başvuru sahibine bildirilecek açıklama", "textarea"]], "Gönder ve başvuru sahibine bildir",
    { confirm: "Başvuru seçilen makama gönderilecek ve burada kapanacak; başvuru sahibine nereye ve hangi gerekçeyle gönderildiği bildirilir. Emin misiniz?" }));
  if (actions.has("not-processed")) parts.push(actionForm(c, "not-processed", "İşleme alma", [["reason_code", "Gerekçe", (c.reason_codes || []).map((r) => [r.code, r.name])], ["explanation", "Açıklama", "textarea"]], "İşleme alınmadı olarak kapat",
    { confirm: "Başvuru işleme alınmadan kapatılacak; başvuru sahibine bildirilir ve kurumların bekleyen bağlantıları kapanır. Emin misiniz?" }));
  if (actions.has("merge")) parts.push(actionForm(c, "merge", "Önceki başvuruyla birleştir", [["into", "Aynı başvuru sahibinin önceki başvurusunun numarası (XXXX-XXXX-XX)", "text", c.possible_repeat && !c.possible_repeat.dismissed ? c.possible_repeat.of : ""],
    ["explanation", "Açıklama", "textarea"]], "Birleştir",
    { confirm: "Bu başvuru kapanacak ve süreç önceki başvuru üzerinden yürüyecek; başvuru sahibine bildirilir. Emin misiniz?" }));
  if (actions.has("reopen")) parts.push(actionForm(c, "reopen", "Yeniden aç", [["reason", "Gerekçe", "textarea"]], "Yeniden aç"));
  if (actions.has("dismiss-repeat")) parts.push(actionForm(c, "dismiss-repeat", "“Olası tekrar” işaretini kaldır", [["reason", "Neden tekrar değil", "textarea"]], "İşareti kaldır"));
  if (actions.has("legal-hold")) parts.push(actionForm(c, "legal-hold", "Yasal saklama (KVKK imhasını durdurur)", [["reason", "Gerekçe (itiraz, dava, inceleme)", "textarea"]], "Yasal saklamaya al"));
  if (actions.has("release-hold")) parts.push(actionForm(c, "release-hold", "Yasal saklamayı kaldır", [["reason", "Gerekçe", "textarea"]], "Saklamayı kaldır"));
  box.replaceChildren(...parts.slice(0, fixed), ...taskList(c, parts.slice(fixed)));
  box.querySelector("#case-title").focus();
}

function assignmentCard(c, a, actions) {
  const last = a.answers[a.answers.length - 1];
  return el("div", { class: "card", style: "margin:.5rem 0" },
    el("strong", {}, a.institution_name), " ", el("span", { class: `badge ${a.status === "overdue" ? "overdue" : a.status === "answered" ? "ok" : ""}` }, ASSIGNMENT[a.status] || a.status),
    el("div", { class: "hint" }, `Kurum süresi: ${fmtDate(a.sla_due_date)}`),
    a.answers.map((x) => el("div", { style: "margin-top:.5rem" }, el("div", { class: "hint" }, `${fmtDateTime(x.at)} · ${x.responder_name}, ${x.responder_title} · ${OUTCOME[x.outcome]}`),
      el("div", { style: "white-space:pre-wrap" }, x.text), x.attachments.map((f) => el("div", {}, el("a", { href: f.url }, f.filename))),
      x.returned_note ? el("div", { class: "notice" }, `İade notu: ${x.returned_note}`) : null)),
    a.redirect ? el("div", { class: "notice" }, `Görev alanı dışında: ${a.redirect.reason}`) : null,
    a.contact_shared ? el("div", { class: "hint" }, `İletişim bilgileri paylaşıldı (${fmtDateTime(a.contact_shared.at)}): ${a.contact_shared.reason}`) : null,
    actions.has("share-contact") && ["sent", "returned", "overdue"].includes(a.status) && !a.contact_shared ? shareForm(c, a) : null,
    actions.has("evaluate") && a.status === "answered" && last ? evaluateForm(c, a) : null,
    actions.has("revoke-link") && ["sent", "returned", "overdue"].includes(a.status) ? el("button", { type: "button", class: "secondary",
      onclick: () => submitAction(c, "revoke-link", { institution_id: a.institution_id }, null, "Yeni bağlantı gönderildi.") }, "Bağlantıyı yenile") : null);
}

function evaluateForm(c, a) {
  const id = `eval-${a.institution_id.replace(/[^a-z0-9]/gi, "-")}`;
  const f = el("form", { class: "no-print", novalidate: true, id },
    el("div", { class: "field" }, el("label", { for: `${id}-note` }, "Değerlendirme notu ", el("span", { class: "hint" }, "İadede zorunlu")),
      el("textarea", { id: `${id}-note`, name: "note", style: "min-height:4rem" })),
    el("div", { class: "actions" },
      el("button", { type: "button", onclick: () => submitAction(c, "evaluate", { institution_id: a.institution_id, decision: "accept", ...(f.note.value.trim() ? { note: f.note.value.trim() } : {}) }, f, "Cevap kabul edildi.") }, "Kabul et"),
      el("button", { type: "button", class: "secondary", onclick: () => submitAction(c, "evaluate", { institution_id: a.institution_id, decision: "return", note: f.note.value.trim() }, f, "Cevap kuruma iade edildi.") }, "İade et")));
  return f;
}

// Other applicants' open cases of the same district and category a few hundred metres away
// (FixMyStreet's "nearby reports", kept inside the office). The clerk may tick them to be
// forwarded with this one: each is forwarded in turn, at its own version, and each result
// is reported.
async function loadRelated(c, canForward) {
  let r;
  try { r = await call("GET", `/v1/staff/cases/${c.application_no}/related`); }
  catch (err) { const box = document.getElementById("case-related"); if (box) box.textContent = err.message; return; }
  const box = document.getElementById("case-related");
  if (!box) return;
  if (!r.applications.length) { box.textContent = `${r.radius_m} metre ve ${r.days} gün içinde başka açık başvuru yok.`; return; }
  box.replaceChildren(el("ul", {}, r.applications.map((a) => el("li", {},
    el("span", { class: "badge" }, "ilgili olabilir"), " ",
    el("a", { href: `#${a.application_no}`, onclick: (e) => { e.preventDefault(); openCase(a.application_no); } }, a.application_no),
    ` · ${a.subject} · ${STATUS[a.status] || a.status} · ${a.distance_m} m · ${fmtDate(a.received_at)}`,
    canForward && ["received", "in_review"].includes(a.status) ? [" ", el("label", { class: "check", style: "display:inline-flex;margin:0" },
      el("input", { type: "checkbox", "data-related": a.application_no, "data-version": a.version }), "birlikte ilet")] : null))));
}

function forwardForm(c) {
  const assigned = new Set(c.assignments.filter((a) => a.status !== "redirected").map((a) => a.institution_id));
  const options = (c.district_institutions || []).filter((i) => !assigned.has(i.id));
  const f = el("form", { class: "card", id: "forward-form", novalidate: true }, el("h2", {}, "Kuruma yönlendir"),
    el("fieldset", {}, el("legend", {}, "Kurumlar"), el("input", { type: "hidden", name: "institution_ids" }),
      options.map((i) => el("label", { class: "check" }, el("input", { type: "checkbox", value: i.id, "data-inst": "1",
        checked: (c.suggested_institution_ids || []).includes(i.id) }), i.name,
        (c.suggested_institution_ids || []).includes(i.id) ? el("span", { class: "hint" }, " (konuya göre önerilen)") : null))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Yönlendir")));
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const ids = [...f.querySelectorAll("[data-inst]:checked")].map((x) => x.value);
    const together = [...document.querySelectorAll("[data-related]:checked")].map((x) => [x.dataset.related, Number(x.dataset.version)]);
    submitAction(c, "forward", { institution_ids: ids }, f, "Başvuru kurumlara iletildi.").then(async (ok) => {
      if (!ok || !together.length) return;
      const done = [], failed = [];
      for (const [no, version] of together) {
        try { await call("POST", `/v1/staff/cases/${no}/forward`, { institution_ids: ids, version }); done.push(no); }
        catch (err) { failed.push(`${no}: ${err.message}`); }
      }
      say(live, [done.length ? `Birlikte iletildi: ${done.join(", ")}.` : "", failed.length ? `İletilemedi: ${failed.join(" ")}` : ""].join(" ").trim(), failed.length ? "err" : "ok");
    });
  });
  return f;
}

const NOTE_KIND = { citizen_reply: "Başvuru sahibinin cevabı: ", desk_reply: "Masada / telefonla alınan bilgi: ", objection: "İtiraz: " };

// A form of fields [name, label, kind, prefill]: kind is "textarea", "checkbox" or a list of [value, text] options.
// At conclusion the clerk chooses which institution attachments go out with the final
// answer; the citizen downloads them from the tracking page through short-lived links.
// Every refusal states its remedies: the standard text goes with the answer, the clerk may add to it.
function withRemedies(c, options) {
  const box = el("details", { id: "remedies-template" }, el("summary", {}, "Ret, kısmi ret ya da görev dışı cevapta eklenecek başvuru yolları"),
    el("p", { style: "white-space:pre-wrap" }, c.legal_remedies_template || ""));
  return { ...options, addon: [box, options.addon || null] };
}

function releaseOptions(c) {
  const files = c.assignments.flatMap((a) => (a.answers || []).flatMap((x) => (x.attachments || []).map((f) => ({ ...f, institution: a.institution_name }))));
  if (!files.length) return {};
  return {
    addon: el("fieldset", { id: "release-attachments" }, el("legend", {}, "Cevapla birlikte başvuru sahibine gönderilecek kurum ekleri"),
      files.map((f) => el("label", { class: "check" }, el("input", { type: "checkbox", "data-release": f.id, name: "release_attachments" }), `${f.filename} (${f.institution})`))),
    extra: (form) => ({ release_attachments: [...form.querySelectorAll("[data-release]:checked")].map((x) => x.dataset.release) }),
  };
}

// The actions the state allows, as a task list (GOV.UK): one open at a time, the one the
// state calls for first; the rest collapsed under their titles.
const PRIMARY = [["information-received-form", (c) => c.status === "awaiting_applicant"],
  ["conclude-form", (c) => ["institution_answered", "under_evaluation"].includes(c.status)],
  ["dismiss-repeat-form", (c) => c.possible_repeat && !c.possible_repeat.dismissed],
  ["acknowledge-form", () => true], ["forward-form", () => true], ["conclude-form", () => true]];
function taskList(c, forms) {
  if (!forms.length) return [];
  const ids = forms.map((f) => f.id);
  const primary = (PRIMARY.find(([id, when]) => ids.includes(id) && when(c)) || [ids[0]])[0];
  const tasks = forms.map((f) => {
    const heading = f.querySelector("h2");
    const title = heading ? heading.textContent : f.id;
    if (heading) heading.remove();
    f.classList.remove("card");
    const d = el("details", { class: "task", name: "case-task", id: `task-${f.id}`, open: f.id === primary },
      el("summary", {}, title), f);
    d.addEventListener("toggle", () => {     // one open at a time, also where `name` is not supported
      if (d.open) document.querySelectorAll("details.task[open]").forEach((o) => { if (o !== d) o.open = false; });
    });
    return d;
  });
  return [el("section", { class: "card no-print", id: "tasks", "aria-labelledby": "tasks-title" },
    el("h2", { id: "tasks-title" }, "Yapılacak işlemler"), tasks)];
}

function actionForm(c, action, title, fields, label, { confirm, addon, extra } = {}) {
  const control = (name, kind, prefill) => {
    const id = `${action}-${name}`;
    if (Array.isArray(kind)) return el("select", { id, name }, el("option", { value: "" }, "Seçiniz"), kind.map(([v, t]) => el("option", { value: v }, t)));
    if (kind === "checkbox") return el("input", { type: "checkbox", id, name });
    if (kind === "text") return el("input", { type: "text", id, name, value: prefill || "", autocomplete: "off", spellcheck: "false" });
    const t = el("textarea", { id, name });
    if (prefill) t.value = prefill;
    return t;
  };
  const f = el("form", { class: "card", id: `${action}-form`, novalidate: true }, el("h2", {}, title),
    fields.map(([name, text, kind, prefill]) => kind === "checkbox"
      ? el("div", { class: "field" }, el("label", { class: "check" }, control(name, kind), " ", text))
      : el("div", { class: "field" }, el("label", { for: `${action}-${name}` }, text), control(name, kind, prefill))),
    addon || null,
    el("div", { class: "actions" }, el("button", { type: "submit", class: confirm ? "secondary" : null }, label)),
    confirm ? el("div", { class: "notice confirm", hidden: true, id: `${action}-confirm` }, el("p", {}, confirm),
      el("div", { class: "actions" }, el("button", { type: "button", class: "danger", id: `${action}-confirm-yes` }, `Evet, ${label.toLocaleLowerCase("tr-TR")}`),
        el("button", { type: "button", class: "secondary", onclick: () => { f.querySelector(".confirm").hidden = true; } }, "Vazgeç"))) : null);
  if (confirm) f.querySelector(`#${action}-confirm-yes`).addEventListener("click", () => { f.dataset.confirmed = "1"; f.requestSubmit(); });
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    if (confirm && f.dataset.confirmed !== "1") {            // a destructive action asks once more
      const box = f.querySelector(".confirm");
      box.hidden = false;
      box.querySelector("button").focus();
      return;
    }
    delete f.dataset.confirmed;
    const body = {};
    for (const [name, , kind] of fields) {
      if (kind === "checkbox") body[name] = f[name].checked;
      else if (f[name].value.trim()) body[name] = f[name].value.trim();
    }
    if ("remedies_note" in body && !["negative", "not_competent"].includes(body.outcome) && !body.partly_refused) delete body.remedies_note;
    if (extra) Object.assign(body, extra(f));
    submitAction(c, action, body, f, `${title}: kaydedildi.`);
  });
  return f;
}

function triageForm(c) {
  const f = el("form", { class: "card", id: "triage-form", novalidate: true }, el("h2", {}, "Sınıflandırma"),
    el("div", { class: "field" }, el("label", { for: "triage-type" }, "Başvuru türü"), el("select", { id: "triage-type", name: "type" })),
    el("div", { class: "field" }, el("label", { for: "triage-category" }, "Alt konu"), el("select", { id: "triage-category", name: "category" })),
    c.confidential_identity ? el("p", { class: "hint" }, "Başvuru sahibinin kimliği kurumlardan gizli tutuluyor; bu karar geri alınamaz.")
      : el("div", { class: "field" }, el("label", { class: "check" }, el("input", { type: "checkbox", id: "triage-confidential", name: "confidential_identity" }), " Başvuru sahibinin kimliğini kurumlardan gizle (geri alınamaz)")),
    el("div", { class: "field" }, el("label", { for: "triage-reason" }, "Gerekçe"), el("textarea", { id: "triage-reason", name: "reason" })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Sınıflandırmayı kaydet")));
  loadCatalog().then((cat) => {
    catalog = cat;
    f.type.replaceChildren(...cat.types.map((t) => el("option", { value: t.code, selected: t.code === c.type }, t.name)));
    f.category.replaceChildren(...cat.headings.map((h) => el("optgroup", { label: h.name },
      h.subjects.map((s) => el("option", { value: s.code, selected: s.code === c.category }, s.name)))));
  }).catch(() => {});
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = { reason: f.reason.value.trim() };
    if (f.type.value && f.type.value !== c.type) body.type = f.type.value;
    if (f.category.value && f.category.value !== c.category) body.category = f.category.value;
    if (f.confidential_identity && f.confidential_identity.checked) body.confidential_identity = true;
    submitAction(c, "triage", body, f, "Sınıflandırma kaydedildi.");
  });
  return f;
}

function acknowledgeForm(c) {
  const f = el("form", { class: "card", id: "acknowledge-form", novalidate: true }, el("h2", {}, "Teşekkürü al ve ilet"),
    el("p", { class: "hint" }, "Teşekkür başvurularında cevap süresi yoktur. Teşekkür edilen kurumu seçerseniz teşekkür ona e-postayla iletilir (başvuru sahibinin kimliği paylaşılmaz)."),
    el("fieldset", {}, el("legend", {}, "İletilecek kurumlar"), el("input", { type: "hidden", name: "institution_ids" }),
      (c.district_institutions || []).map((i) => el("label", { class: "check" }, el("input", { type: "checkbox", value: i.id, "data-inst": "1" }), i.name))),
    el("div", { class: "field" }, el("label", { for: "acknowledge-message" }, "Başvuru sahibine ileti"), el("textarea", { id: "acknowledge-message", name: "message" })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Teşekkürü ilet ve kapat")));
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const ids = [...f.querySelectorAll("[data-inst]:checked")].map((x) => x.value);
    submitAction(c, "acknowledge", { message: f.message.value.trim(), institution_ids: ids }, f, "Teşekkür iletildi.");
  });
  return f;
}

function shareForm(c, a) {
  const id = `share-${a.institution_id.replace(/[^a-z0-9]/gi, "-")}`;
  const f = el("form", { class: "no-print", novalidate: true, id },
    el("div", { class: "field" }, el("label", { for: `${id}-reason` }, "İletişim bilgilerini paylaşma gerekçesi ", el("span", { class: "hint" }, "Kayda geçer")),
      el("input", { type: "text", id: `${id}-reason`, name: "reason" })),
    el("div", { class: "actions" }, el("button", { type: "button", class: "secondary",
      onclick: () => submitAction(c, "share-contact", { institution_id: a.institution_id, reason: f.reason.value.trim() }, f, "İletişim bilgileri kurumla paylaşıldı.") }, "Telefon ve e-postayı paylaş")));
  return f;
}

async function submitAction(c, action, body, form, okText) {
  try {
    const updated = await call("POST", `/v1/staff/cases/${c.application_no}/${action}`, { ...body, version: c.version });
    renderCase(updated);
    say(live, okText, "ok");
    return true;
  } catch (err) {
    if (form && err.errors && err.errors.length && err.errors[0].field && err.errors[0].field !== "version") showErrors(form, err.errors, live);
    say(live, err.code === "stale_version" ? "Başvuru siz baktıktan sonra değişmiş; güncel hâli yüklendi, lütfen tekrar deneyiniz." : err.message, "err");
    if (err.code === "stale_version") openCase(c.application_no).then(() => say(live, "Başvuru siz baktıktan sonra değişmiş; güncel hâli yüklendi, lütfen tekrar deneyiniz.", "err"));
  }
}
