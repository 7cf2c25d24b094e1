// The institution's page, opened from the e-mailed link: the token is in the #fragment
// and goes to the API in the X-Link-Token header only. It is taken out of the address
// bar (and history) but kept for this tab (sessionStorage), so a reload or Back still
// works; a typed answer is kept as a draft for the tab until it is sent.
import { api, ApiError, ASSIGNMENT, el, fmtDate, fmtDateTime, OUTCOME, placeText, say, showErrors } from "./api.js";

const live = document.getElementById("live");
const box = document.getElementById("case");
const TOKEN_KEY = "acikkapi.kurum.token";
const CONFIRM_KEY = "acikkapi.kurum.confirm";
const INBOX_KEY = "acikkapi.kurum.inbox";
const MODE_KEY = "acikkapi.kurum.mode";
// The link says what the page is: a case (#t=), the liaison address's confirmation (#c=)
// or the institution's inbox (#i=; #inbox goes back to it). Without one (a reload, Back),
// the tab shows what it showed last.
const hash = new URLSearchParams(location.hash.slice(1));
const fromLink = hash.get("t");
if (fromLink) { sessionStorage.setItem(TOKEN_KEY, fromLink); sessionStorage.setItem(MODE_KEY, "case"); }
if (hash.get("c")) { sessionStorage.setItem(CONFIRM_KEY, hash.get("c")); sessionStorage.setItem(MODE_KEY, "confirm"); }
if (hash.get("i")) { sessionStorage.setItem(INBOX_KEY, hash.get("i")); sessionStorage.setItem(MODE_KEY, "inbox"); }
if (hash.has("inbox")) sessionStorage.setItem(MODE_KEY, "inbox");
const mode = sessionStorage.getItem(MODE_KEY) || "case";
const confirmToken = mode === "confirm" ? sessionStorage.getItem(CONFIRM_KEY) || "" : "";
const inboxToken = sessionStorage.getItem(INBOX_KEY) || "";
const token = fromLink || sessionStorage.getItem(TOKEN_KEY) || "";
const headers = { "X-Link-Token": token };
history.replaceState(null, "", location.pathname);  // keep the key out of the address bar and history
// a row of the inbox opens its case in this page: a new fragment is a new page
window.addEventListener("hashchange", () => location.reload());
const DRAFT_KEY = `acikkapi.kurum.draft.${token.slice(-16)}`;
const DRAFT_FIELDS = ["outcome", "text", "responder_name", "responder_title"];

async function load() {
  if (!token) {
    say(live, "Bu sayfa Açık Kapı bürosunun e-postayla gönderdiği bağlantıyla açılır. Bağlantıyı e-postadaki adresten yeniden açınız.", "err");
    box.classList.add("hidden");
    return;
  }
  try { render(await api("GET", "/v1/institution/assignment", { headers })); }
  catch (e) {
    // 401/410: the server says why (expired, revoked, the case closed) and what to do
    // the draft is mentioned only when there is one (not to someone who already answered)
    const draft = Object.values(JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "{}")).some((v) => String(v).trim());
    say(live, (e.status === 410 || e.status === 401) && draft ? `${e.message} Yazdığınız cevap bu sekmede saklanmaktadır.` : e.message, "err");
    const own = (e.body && e.body.error && e.body.error.own_answers) || [];
    if (own.length) {                 // a closed case: the institution's own answer, read-only
      box.replaceChildren(el("section", { class: "card", id: "own-answers" }, el("h2", {}, "Kurumunuzun verdiği cevap"),
        el("ol", { class: "timeline" }, own.map((x) => el("li", {},
          el("time", { datetime: x.at }, fmtDateTime(x.at)), el("strong", {}, `${OUTCOME[x.outcome] || x.outcome} · ${x.responder_name}, ${x.responder_title}`),
          el("div", { style: "white-space:pre-wrap" }, x.text),
          x.attachments.length ? el("div", { class: "hint" }, `Ekler: ${x.attachments.join(", ")}`) : null)))));
      box.classList.remove("hidden");
    } else {
      box.classList.add("hidden");
    }
  }
}

const field = (id, label, input, hint) => el("div", { class: "field" },
  el("label", { for: id }, label, hint ? el("span", { class: "hint" }, hint) : null), input);

function render(v) {
  const a = v.applicant;
  const sections = [
    el("section", { class: "card" },
      el("h2", { id: "case-heading", tabindex: "-1" }, `Başvuru ${v.application_no}`),
      el("dl", { class: "facts" },
        el("dt", {}, "Kurum"), el("dd", {}, v.institution.name),
        el("dt", {}, "Durum"), el("dd", { id: "assignment-status" }, ASSIGNMENT[v.status] || v.status),
        el("dt", {}, "Tür / konu"), el("dd", {}, `${v.type_name} · ${v.category_name}`),
        el("dt", {}, "İlçe"), el("dd", {}, v.district_name),
        el("dt", {}, "Alınma tarihi"), el("dd", {}, fmtDate(v.receipt_date)),
        el("dt", {}, "Kurum cevap süresi"), el("dd", {}, fmtDate(v.sla_due_date)),
        v.legal_due_date ? [el("dt", {}, "Yasal süre"), el("dd", {}, fmtDate(v.legal_due_date))] : null,
        v.place ? [el("dt", {}, "Yer"), el("dd", {}, placeText(v.place))] : null,
        v.location ? [el("dt", {}, "Konum"), el("dd", {}, `${v.location.lat}, ${v.location.lon}`)] : null),
      el("h3", {}, v.subject), el("p", { style: "white-space:pre-wrap" }, v.description),
      v.citizen_attachments && v.citizen_attachments.length ? el("div", { id: "citizen-files" }, el("h3", {}, "Vatandaşın eklediği dosyalar"),
        el("ul", { class: "thumbs" }, v.citizen_attachments.map((f, i) => el("li", {},
          el("a", { href: f.url, target: "_blank", rel: "noopener" },
            f.content_type && f.content_type.startsWith("image/")
              ? el("img", { src: f.url, alt: `Vatandaşın fotoğrafı ${i + 1} (${f.filename})`, loading: "lazy", width: "160", height: "120" })
              : null,
            el("span", {}, f.filename)))))) : null),
    el("section", { class: "card" }, el("h2", {}, "Başvuru sahibi"),
      v.identity_withheld ? el("p", { class: "notice" }, "Başvuru sahibinin kimliği gizli tutulmaktadır. Kimlik ve iletişim bilgileri kurumla paylaşılmaz.")
        : el("dl", { class: "facts" },
          el("dt", {}, "Ad soyad"), el("dd", {}, `${a.first_name} ${a.last_name}`),
          el("dt", {}, "T.C. Kimlik No"), el("dd", {}, a.national_id_masked),
          el("dt", {}, "Telefon"), el("dd", {}, a.phone),
          a.email ? [el("dt", {}, "E-posta"), el("dd", {}, a.email)] : null,
          a.contact_shared ? null : [el("dt", {}, "İletişim"), el("dd", { class: "hint" }, "Telefon ve e-posta, Açık Kapı bürosu paylaşana kadar gizlidir; gerekirse büroya başvurunuz.")],
          el("dt", {}, "Adres"), el("dd", {}, a.address))),
  ];
  if (v.answers.length || v.notes.length) {
    sections.push(el("section", { class: "card" }, el("h2", {}, "Önceki cevaplar ve büro notları"),
      el("ol", { class: "timeline" }, v.answers.map((x) => el("li", {},
        el("time", {}, fmtDateTime(x.at)), el("strong", {}, `${OUTCOME[x.outcome]} · ${x.responder_name}, ${x.responder_title}`),
        el("div", { style: "white-space:pre-wrap" }, x.text),
        x.attachments.map((f) => el("div", {}, el("a", { href: f.url }, f.filename))),
        x.returned_note ? el("div", { class: "notice" }, `Büro iade etti: ${x.returned_note}`) : null)))));
  }
  if (v.referral) {
    sections.push(el("p", { class: "notice ok", id: "referral" }, `Bu başvuru ${v.referral.source} uyarınca makamınıza gönderilmiştir. Açık Kapı bürosuna cevap vermeniz beklenmez; işlem makamınızca yürütülür. Bağlantı yalnızca okumak içindir.`));
  } else if (v.read_only) {
    sections.push(el("p", { class: "notice ok" }, "Bu başvuru kurumunuzca cevaplanmıştır; bağlantı artık yalnızca okunabilir."));
  } else {
    sections.push(answerForm(), redirectForm());
    if (v.can_extend) sections.push(extensionForm());
  }
  if (inboxToken) sections.unshift(el("p", { class: "no-print" }, el("a", { href: "kurum.html#inbox", id: "to-inbox" }, "← Gelen kutusuna dön")));
  box.replaceChildren(...sections);
  box.classList.remove("hidden");
}

function answerForm() {
  const f = el("form", { class: "card", id: "answer-form", novalidate: true }, el("h2", {}, "Cevap ver"),
    field("answer-outcome", "Önerilen sonuç", el("select", { id: "answer-outcome", name: "outcome", required: true },
      el("option", { value: "" }, "Seçiniz"), Object.entries(OUTCOME).map(([k, t]) => el("option", { value: k }, t)))),
    field("answer-text", "Cevap metni", el("textarea", { id: "answer-text", name: "text", maxlength: 10000, required: true }),
      " En fazla 10.000 karakter"),
    el("div", { class: "grid2" },
      field("responder-name", "Cevaplayanın adı soyadı", el("input", { type: "text", id: "responder-name", name: "responder_name", required: true })),
      field("responder-title", "Unvanı", el("input", { type: "text", id: "responder-title", name: "responder_title", required: true }))),
    field("answer-files", "Ekler", el("input", { type: "file", id: "answer-files", name: "attachments", multiple: true,
      accept: "application/pdf,image/jpeg,image/png" }), " PDF, JPEG ya da PNG; her biri en fazla 10 MB, en fazla 5 dosya"),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Cevabı gönder")));
  const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "{}");
  for (const name of DRAFT_FIELDS) if (saved[name]) f[name].value = saved[name];
  f.addEventListener("input", () => sessionStorage.setItem(DRAFT_KEY, JSON.stringify(
    Object.fromEntries(DRAFT_FIELDS.map((n) => [n, f[n].value])))));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = f.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const attachments = [];
      for (const file of f.attachments.files) attachments.push(await upload(file));
      const body = { outcome: f.outcome.value, text: f.text.value.trim(), responder_name: f.responder_name.value.trim(),
        responder_title: f.responder_title.value.trim(), attachments };
      renderAndFocus(await api("POST", "/v1/institution/answer", { body, headers }));
      sessionStorage.removeItem(DRAFT_KEY);
      say(live, "Cevabınız kaydedildi ve Açık Kapı bürosuna iletildi. Teşekkür ederiz.", "ok");
    } catch (err) { fail(f, err); } finally { button.disabled = false; }
  });
  return f;
}

async function upload(file) {
  const start = await api("POST", "/v1/institution/attachments",
    { body: { filename: file.name, content_type: file.type, size: file.size }, headers });
  const data = new FormData();
  for (const [k, v] of Object.entries(start.upload.fields)) data.append(k, v);
  data.append("file", file);
  const res = await fetch(start.upload.url, { method: "POST", body: data });
  if (!res.ok) throw new ApiError(400, { error: { code: "upload_failed", field: "attachments", message: `${file.name} yüklenemedi.` } });
  return { id: start.attachment_id, filename: file.name };
}

function redirectForm() {
  const f = el("form", { class: "card", id: "redirect-form", novalidate: true }, el("h2", {}, "Görev alanımız dışında"),
    field("redirect-reason", "Gerekçe", el("textarea", { id: "redirect-reason", name: "reason", required: true })),
    field("redirect-suggest", "Önerilen kurum", el("input", { type: "text", id: "redirect-suggest", name: "suggested_institution" }), " İsteğe bağlı"),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "secondary" }, "Büroya bildir")));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { reason: f.reason.value.trim() };
    if (f.suggested_institution.value.trim()) body.suggested_institution = f.suggested_institution.value.trim();
    try { renderAndFocus(await api("POST", "/v1/institution/redirect", { body, headers })); say(live, "Büroya bildirildi.", "ok"); }
    catch (err) { fail(f, err); }
  });
  return f;
}

function extensionForm() {
  const f = el("form", { class: "card", id: "extension-form", novalidate: true }, el("h2", {}, "Süre uzatımı (4982 sayılı Kanun md. 11)"),
    el("p", { class: "hint" }, "Kanundaki iki gerekçeden biri varsa cevap süresi 30 iş gününe uzatılabilir; gerekçe başvuru sahibine yazılı olarak bildirilir."),
    field("extension-ground", "Kanuni gerekçe", el("select", { id: "extension-ground", name: "ground", required: true },
      el("option", { value: "" }, "Seçiniz"),
      el("option", { value: "other_unit" }, "İstenen bilgi ya da belge kurum içindeki başka bir birimden sağlanacak"),
      el("option", { value: "other_institution" }, "Cevap için başka bir kurumun görüşü gerekiyor"))),
    field("extension-reason", "Açıklama (Açık Kapı bürosuna)", el("textarea", { id: "extension-reason", name: "reason", required: true })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "secondary" }, "Süreyi uzat")));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    try { renderAndFocus(await api("POST", "/v1/institution/extension", { body: { ground: f.ground.value, reason: f.reason.value.trim() }, headers })); say(live, "Süre uzatıldı.", "ok"); }
    catch (err) { fail(f, err); }
  });
  return f;
}

function fail(form, err) {
  // a field's error is said once: in the form's summary, which takes the focus
  if (err instanceof ApiError && err.errors.length && err.errors[0].field) { showErrors(form, err.errors, null); return; }
  say(live, err.message, "err");
}

// After an answer, a redirect or an extension the page is drawn again: the focus goes to
// its heading, not to <body>.
function renderAndFocus(view) {
  render(view);
  document.getElementById("case-heading")?.focus();
}

// The liaison address's test link: what it confirms, and one button (a mail scanner that
// opens links confirms nothing: only the POST does).
async function confirmPage() {
  document.querySelector("h1").textContent = "Açık Kapı irtibat adresi onayı";
  const h = { "X-Link-Token": confirmToken };
  let v;
  try { v = await api("GET", "/v1/institution/liaison", { headers: h }); }
  catch (e) { say(live, e.message, "err"); box.classList.add("hidden"); return; }
  const done = () => el("p", { class: "notice ok", id: "liaison-confirmed" },
    `Teşekkür ederiz. ${v.liaison_email} adresi ${v.institution} için Açık Kapı irtibat adresi olarak onaylandı; ${v.office_name} Açık Kapı Bürosunun ilettiği başvurular bu adrese gelecektir.`);
  const button = el("button", { type: "button", id: "liaison-confirm" }, "Onaylıyorum");
  const card = el("section", { class: "card" },
    el("h2", {}, v.institution),
    el("dl", { class: "facts" },
      el("dt", {}, "İrtibat adresi"), el("dd", {}, v.liaison_email),
      el("dt", {}, "Büro"), el("dd", {}, `${v.office_name} (${v.district_name})`)),
    v.confirmed ? done() : [el("p", {}, "Bu adresin kurumunuzun Açık Kapı irtibat adresi olduğunu ve bu adrese gelen başvuruların kurumunuzca okunacağını onaylıyor musunuz?"),
      el("div", { class: "actions" }, button)]);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      v = await api("POST", "/v1/institution/liaison/confirm", { headers: h });
      button.parentElement.replaceWith(done());
      sessionStorage.removeItem(CONFIRM_KEY);
      sessionStorage.removeItem(MODE_KEY);
      say(live, "Adres onaylandı.", "ok");
    } catch (e) { button.disabled = false; say(live, e.message, "err"); }
  });
  box.replaceChildren(card);
  box.classList.remove("hidden");
}

// The institution's inbox: what it still owes, soonest due first, overdue ones marked;
// each row opens the case as its own link does.
async function inboxPage() {
  document.querySelector("h1").textContent = "Açık Kapı: kurumunuzun gelen kutusu";
  let v;
  try { v = await api("GET", "/v1/institution/inbox", { headers: { "X-Link-Token": inboxToken } }); }
  catch (e) { say(live, e.message, "err"); box.classList.add("hidden"); return; }
  const overdue = v.items.filter((x) => x.overdue).length;
  const card = el("section", { class: "card" },
    el("h2", { id: "inbox-title" }, v.institution),
    el("p", {}, `${v.office_name} Açık Kapı Bürosunun iletip cevabınızı beklediği ${v.items.length} başvuru${overdue ? `; ${overdue} tanesinin süresi geçti` : ""}.`),
    v.items.length ? el("div", { class: "table-wrap" }, el("table", { id: "inbox" },
      el("caption", {}, "Cevap bekleyen başvurular (cevap süresine göre)"),
      el("thead", {}, el("tr", {}, ["Başvuru", "Konu", "Durum", "Cevap süresi"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, v.items.map((x) => el("tr", { class: x.overdue ? "overdue" : null },
        el("td", {}, el("a", { href: `kurum.html#t=${x.token}` }, x.application_no)),
        el("td", {}, x.subject), el("td", {}, ASSIGNMENT[x.status] || x.status),
        el("td", {}, fmtDate(x.sla_due_date), x.overdue ? el("strong", { class: "overdue-mark" }, " · süresi geçti") : null))))))
      : el("p", { class: "notice ok" }, "Cevap bekleyen başvuru yok."),
    v.more ? el("p", { class: "hint" }, "Liste en yakın süreli 200 başvuruyu gösterir; cevapladıkça sıradakiler görünür.") : null);
  box.replaceChildren(card);
  box.classList.remove("hidden");
}

if (mode === "confirm" && confirmToken) confirmPage();
else if (mode === "inbox" && inboxToken) inboxPage();
else load();
