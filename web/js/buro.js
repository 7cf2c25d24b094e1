// The office console: sign-in, the district queue, case detail with actions, desk
// intake and a dashboard. The ID token lives in sessionStorage for this tab only.
import { api, ApiError, ASSIGNMENT, CHANNEL, clearErrors, el, fmtDate, fmtDateTime, OUTCOME, say, showErrors, STATUS } from "./api.js";
import { applicationBody, clientChecks, loadCatalog, wirePickers } from "./catalog.js";
import { isValidNationalId, normaliseMobile } from "./validate.js";

const live = document.getElementById("live");
const loginForm = document.getElementById("login");
const consoleBox = document.getElementById("console");
const views = ["queue", "case", "intake", "dashboard"];
let session = JSON.parse(sessionStorage.getItem("acikkapi.session") || "null");

const auth = () => ({ Authorization: `Bearer ${session.id_token}` });
async function call(method, path, body, extra) {
  try { return await api(method, path, { body, headers: { ...auth(), ...(extra || {}) } }); }
  catch (e) {
    if (e instanceof ApiError && (e.status === 401 || (e.status === 403 && e.code === "forbidden" && !e.body?.error))) {
      logout("Oturumunuzun süresi doldu; lütfen yeniden giriş yapınız.");
    }
    throw e;
  }
}

function show(view) {
  for (const v of views) document.getElementById(`view-${v}`).classList.toggle("hidden", v !== view);
  say(live, "");
}

function logout(message) {
  session = null;
  sessionStorage.removeItem("acikkapi.session");
  consoleBox.classList.add("hidden");
  loginForm.classList.remove("hidden");
  if (message) say(live, message, "err");
}

loginForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(loginForm);
  try {
    session = await api("POST", "/v1/staff/session", { body: { username: loginForm.username.value.trim(), password: loginForm.password.value } });
    sessionStorage.setItem("acikkapi.session", JSON.stringify(session));
    loginForm.reset();
    start();
  } catch (err) {
    if (err.errors.length && err.errors[0].field) showErrors(loginForm, err.errors, live);
    say(live, err.message, "err");
  }
});

document.getElementById("logout").addEventListener("click", () => logout());
document.querySelectorAll("[data-view]").forEach((b) => b.addEventListener("click", () => {
  const v = b.dataset.view;
  if (v === "queue") renderQueue();
  if (v === "intake") renderIntake();
  if (v === "dashboard") renderDashboard();
}));

const ROLE = { desk: "Büro personeli", supervisor: "Büro sorumlusu", province: "İl izleme", admin: "Yönetici" };

async function start() {
  loginForm.classList.add("hidden");
  consoleBox.classList.remove("hidden");
  const u = session.user;
  document.getElementById("who").textContent = `${u.username} · ${ROLE[u.role]}${u.district ? " · " + u.district : ""}`;
  document.getElementById("nav-intake").hidden = !["desk", "supervisor"].includes(u.role);
  await renderQueue();
}

// --- queue ------------------------------------------------------------------------
let queueState = { items: [], cursor: null, params: {}, sort: "legal_days_left", dir: 1 };

async function renderQueue(append = false) {
  show("queue");
  const box = document.getElementById("view-queue");
  const cat = await loadCatalog();
  if (!append) {
    const f = el("form", { class: "card no-print", id: "filters", novalidate: true }, el("h2", {}, "İş kuyruğu"),
      el("div", { class: "filters" },
        sel("f-status", "Durum", "status", Object.entries(STATUS)),
        sel("f-type", "Tür", "type", cat.types.map((t) => [t.code, t.name])),
        sel("f-category", "Konu", "category", cat.headings.flatMap((h) => h.subjects.map((s) => [s.code, s.name]))),
        input("f-no", "Başvuru numarası", "application_no"),
        input("f-from", "Alınma (başlangıç)", "from", "date"),
        input("f-to", "Alınma (bitiş)", "to", "date")),
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "overdue", id: "f-overdue" }), "Yalnızca süresi geçenler"),
      el("div", { class: "actions" }, el("button", { type: "submit" }, "Filtrele")));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const p = {};
      for (const n of ["status", "type", "category", "application_no", "from", "to"]) if (f[n].value) p[n] = f[n].value;
      if (f.overdue.checked) p.overdue = "1";
      queueState = { ...queueState, params: p, items: [], cursor: null };
      loadQueue(box).catch((err) => say(live, err.message, "err"));
    });
    box.replaceChildren(f, el("div", { id: "queue-table" }));
    queueState.items = []; queueState.cursor = null;
  }
  await loadQueue(box);
}

async function loadQueue(box) {
  const qs = new URLSearchParams({ ...queueState.params, limit: "25", ...(queueState.cursor ? { cursor: queueState.cursor } : {}) });
  const page = await call("GET", `/v1/staff/cases?${qs}`);
  queueState.items = queueState.items.concat(page.items);
  queueState.cursor = page.next_cursor;
  drawTable(box);
}

function drawTable(box) {
  const items = [...queueState.items].sort((a, b) => {
    const k = queueState.sort;
    const av = a[k] ?? Infinity, bv = b[k] ?? Infinity;
    return (av > bv ? 1 : av < bv ? -1 : 0) * queueState.dir;
  });
  const sortBtn = (key, label) => el("button", { type: "button", class: "sort", "aria-label": `${label} sütununa göre sırala`,
    onclick: () => { queueState.dir = queueState.sort === key ? -queueState.dir : 1; queueState.sort = key; drawTable(box); } },
    label, queueState.sort === key ? (queueState.dir > 0 ? " ▲" : " ▼") : "");
  const days = (n) => n === null || n === undefined ? "—" : n < 0 ? `${-n} gün geçti` : n === 0 ? "bugün" : `${n} gün`;
  const table = el("div", { class: "card table-wrap" }, el("table", {},
    el("caption", { class: "visually-hidden" }, "Başvurular, yasal son güne göre"),
    el("thead", {}, el("tr", {}, el("th", {}, "Numara"), el("th", {}, "Konu"), el("th", {}, "Durum"),
      el("th", {}, sortBtn("received_at", "Alınma")), el("th", {}, sortBtn("legal_days_left", "Yasal süre")),
      el("th", {}, sortBtn("sla_days_left", "Kurum süresi")))),
    el("tbody", {}, items.length ? items.map((c) => el("tr", { class: c.overdue ? "overdue" : "" },
      el("td", {}, el("a", { href: `#${c.application_no}`, onclick: (e) => { e.preventDefault(); openCase(c.application_no); } }, c.application_no),
        c.overdue ? el("span", { class: "badge overdue" }, " süresi geçti") : null),
      el("td", {}, c.subject),
      el("td", {}, STATUS[c.status] || c.status),
      el("td", {}, fmtDate(c.received_at)),
      el("td", {}, fmtDate(c.legal_due_date), el("br"), el("span", { class: "days" }, days(c.legal_days_left))),
      el("td", {}, c.sla_due_date ? [fmtDate(c.sla_due_date), el("br"), el("span", { class: "days" }, days(c.sla_days_left))] : "—")))
      : el("tr", {}, el("td", { colspan: 6 }, "Bu ölçütlere uyan başvuru yok.")))),
    queueState.cursor ? el("div", { class: "actions" }, el("button", { type: "button", class: "secondary",
      onclick: () => loadQueue(box).catch((err) => say(live, err.message, "err")) }, "Daha fazla göster")) : null);
  box.querySelector("#queue-table").replaceChildren(table);
}

const sel = (id, label, name, options) => el("div", { class: "field" }, el("label", { for: id }, label),
  el("select", { id, name }, el("option", { value: "" }, "Tümü"), options.map(([v, t]) => el("option", { value: v }, t))));
const input = (id, label, name, type = "text") => el("div", { class: "field" }, el("label", { for: id }, label),
  el("input", { id, name, type }));

// --- case detail ----------------------------------------------------------------------
async function openCase(no) {
  try { renderCase(await call("GET", `/v1/staff/cases/${encodeURIComponent(no)}`)); }
  catch (e) { say(live, e.message, "err"); }
}

function renderCase(c) {
  show("case");
  const box = document.getElementById("view-case");
  const actions = new Set(c.allowed_actions);
  const idLine = el("span", { id: "nid" }, c.applicant.national_id_masked);
  const parts = [
    el("div", { class: "actions no-print", style: "margin-top:0" }, el("button", { type: "button", class: "secondary", onclick: () => renderQueue() }, "← Kuyruğa dön")),
    el("section", { class: "card" },
      el("h2", { id: "case-title", tabindex: "-1" }, `Başvuru ${c.application_no}`),
      el("dl", { class: "facts" },
        el("dt", {}, "Durum"), el("dd", { id: "case-status" }, STATUS[c.status] || c.status),
        el("dt", {}, "Tür / konu"), el("dd", {}, `${c.type_name} · ${c.category_name}`),
        el("dt", {}, "Kanal"), el("dd", {}, CHANNEL[c.channel] || c.channel),
        el("dt", {}, "Alınma"), el("dd", {}, fmtDateTime(c.received_at)),
        el("dt", {}, "Yasal son gün"), el("dd", {}, `${fmtDate(c.legal_due_date)} (${c.days_left} gün)`),
        el("dt", {}, "Başvuru sahibi"), el("dd", {}, `${c.applicant.first_name} ${c.applicant.last_name}`),
        el("dt", {}, "T.C. Kimlik No"), el("dd", {}, idLine, " ", actions.size ? el("button", { type: "button", class: "secondary", id: "reveal",
          onclick: async () => { try { const r = await call("POST", `/v1/staff/cases/${c.application_no}/reveal`, {}); idLine.textContent = `${r.national_id} · ${r.phone}`; say(live, "Kimlik bilgisi gösterildi; bu görüntüleme kayıt altına alındı.", "ok"); } catch (e) { say(live, e.message, "err"); } } }, "Göster (kayda geçer)") : null),
        el("dt", {}, "Telefon"), el("dd", {}, c.applicant.phone_masked),
        el("dt", {}, "Adres"), el("dd", {}, c.applicant.address),
        c.review_reason ? [el("dt", {}, "İnceleme nedeni"), el("dd", {}, c.review_reason)] : null),
      el("h3", {}, c.subject), el("p", { style: "white-space:pre-wrap" }, c.description),
      c.final_answer ? el("div", { class: "notice ok" }, el("strong", {}, `Sonuç: ${OUTCOME[c.outcome]}. `), c.final_answer) : null),
    el("div", { class: "split" },
      el("section", { class: "card" }, el("h2", {}, "Süreç"), el("ol", { class: "timeline" }, c.history.map((h) =>
        el("li", { class: h.public ? "" : "internal" }, el("time", {}, fmtDateTime(h.at)),
          el("strong", {}, `${STATUS[h.status] || h.status}${h.public ? "" : " · iç not"}`), h.note ? el("div", {}, h.note) : null,
          el("div", { class: "hint" }, h.actor))))),
      el("section", { class: "card" }, el("h2", {}, "Kurumlar"), c.assignments.length ? c.assignments.map((a) => assignmentCard(c, a, actions))
        : el("p", {}, "Henüz kuruma iletilmedi."), c.notes.length ? [el("h3", {}, "Notlar"), c.notes.map((n) => el("p", {}, el("strong", {}, n.kind === "citizen_reply" ? "Vatandaş cevabı: " : n.kind === "objection" ? "İtiraz: " : ""), n.text || ""))] : null)),
  ];
  if (actions.has("forward")) parts.push(forwardForm(c));
  if (actions.has("request_info")) parts.push(actionForm(c, "request-info", "Ek bilgi iste", [["message", "Başvuru sahibine iletilecek soru", "textarea"]], "İste"));
  if (actions.has("interim_answer")) parts.push(actionForm(c, "interim-answer", "Ara cevap", [["text", "Ara bilgi (SMS ile gider)", "textarea"]], "Gönder"));
  if (actions.has("conclude")) parts.push(actionForm(c, "conclude", "Sonuçlandır", [["outcome", "Sonuç", Object.entries(OUTCOME)], ["answer", "Gerekçeli cevap (en az 20 karakter)", "textarea"]], "Sonuçlandır"));
  if (actions.has("not_processed")) parts.push(actionForm(c, "not-processed", "İşleme alma", [["reason_code", "Gerekçe", (c.reason_codes || []).map((r) => [r.code, r.name])], ["explanation", "Açıklama", "textarea"]], "İşleme alınmadı olarak kapat"));
  if (actions.has("reopen")) parts.push(actionForm(c, "reopen", "Yeniden aç", [["reason", "Gerekçe", "textarea"]], "Yeniden aç"));
  box.replaceChildren(...parts);
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
    actions.has("evaluate") && a.status === "answered" && last ? evaluateForm(c, a) : null,
    actions.has("revoke_link") && ["sent", "returned", "overdue"].includes(a.status) ? el("button", { type: "button", class: "secondary",
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

function forwardForm(c) {
  const assigned = new Set(c.assignments.filter((a) => a.status !== "redirected").map((a) => a.institution_id));
  const options = (c.district_institutions || []).filter((i) => !assigned.has(i.id));
  const f = el("form", { class: "card", id: "forward-form", novalidate: true }, el("h2", {}, "Kuruma yönlendir"),
    el("fieldset", {}, el("legend", {}, "Kurumlar"), el("input", { type: "hidden", name: "institution_ids" }),
      options.map((i) => el("label", { class: "check" }, el("input", { type: "checkbox", value: i.id, "data-inst": "1" }), i.name))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Yönlendir")));
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const ids = [...f.querySelectorAll("[data-inst]:checked")].map((x) => x.value);
    submitAction(c, "forward", { institution_ids: ids }, f, "Başvuru kurumlara iletildi.");
  });
  return f;
}

function actionForm(c, action, title, fields, label) {
  const f = el("form", { class: "card", id: `${action}-form`, novalidate: true }, el("h2", {}, title),
    fields.map(([name, text, kind]) => el("div", { class: "field" }, el("label", { for: `${action}-${name}` }, text),
      Array.isArray(kind) ? el("select", { id: `${action}-${name}`, name }, el("option", { value: "" }, "Seçiniz"), kind.map(([v, t]) => el("option", { value: v }, t)))
        : el("textarea", { id: `${action}-${name}`, name }))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, label)));
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = {};
    for (const [name] of fields) body[name] = f[name].value.trim();
    submitAction(c, action, body, f, `${title}: kaydedildi.`);
  });
  return f;
}

async function submitAction(c, action, body, form, okText) {
  try {
    const updated = await call("POST", `/v1/staff/cases/${c.application_no}/${action}`, { ...body, version: c.version });
    renderCase(updated);
    say(live, okText, "ok");
  } catch (err) {
    if (form && err.errors && err.errors.length && err.errors[0].field && err.errors[0].field !== "version") showErrors(form, err.errors, live);
    say(live, err.code === "stale_version" ? "Başvuru siz baktıktan sonra değişmiş; güncel hâli yüklendi, lütfen tekrar deneyiniz." : err.message, "err");
    if (err.code === "stale_version") openCase(c.application_no).then(() => say(live, "Başvuru siz baktıktan sonra değişmiş; güncel hâli yüklendi, lütfen tekrar deneyiniz.", "err"));
  }
}

// --- desk intake -------------------------------------------------------------------------
async function renderIntake() {
  show("intake");
  const box = document.getElementById("view-intake");
  const f = el("form", { class: "card", id: "intake-form", novalidate: true });
  f.innerHTML = `<h2>Masadan başvuru kaydı</h2>
  <p class="hint">Yüz yüze ya da telefonla alınan başvurular. Başvuru sahibine aydınlatma metnini okuyunuz ya da veriniz.</p>
  <div class="grid2">
    <div class="field"><label for="i-channel">Kanal</label><select id="i-channel" name="channel"><option value="face_to_face">Yüz yüze</option><option value="phone">Telefon</option></select></div>
    <div class="field"><label for="i-received">Teslim alınma zamanı <span class="hint">Boşsa şimdi; en fazla 30 gün geriye</span></label><input type="datetime-local" id="i-received" name="received_at"></div>
    <div class="field"><label for="type">Başvuru türü</label><select id="type" name="type"></select></div>
    <div class="field"><label for="heading">Konu başlığı</label><select id="heading"></select></div>
  </div>
  <div class="field"><label for="category">Alt konu</label><select id="category" name="category"></select></div>
  <div class="grid2">
    <div class="field"><label for="province">İl</label><select id="province"></select></div>
    <div class="field"><label for="district">İlçe</label><select id="district" name="district"></select></div>
  </div>
  <div class="field"><label for="i-subject">Konu</label><input type="text" id="i-subject" name="subject" maxlength="150"></div>
  <div class="field"><label for="i-description">Açıklama</label><textarea id="i-description" name="description" maxlength="4000"></textarea></div>
  <div class="grid2">
    <div class="field"><label for="i-nid">T.C. Kimlik No / YKN</label><input type="text" id="i-nid" name="applicant.national_id" inputmode="numeric" maxlength="11" autocomplete="off"></div>
    <div class="field"><label for="i-phone">Cep telefonu</label><input type="tel" id="i-phone" name="applicant.phone"></div>
    <div class="field"><label for="i-first">Ad</label><input type="text" id="i-first" name="applicant.first_name"></div>
    <div class="field"><label for="i-last">Soyad</label><input type="text" id="i-last" name="applicant.last_name"></div>
  </div>
  <div class="field"><label for="i-email">E-posta <span class="hint">İsteğe bağlı</span></label><input type="email" id="i-email" name="applicant.email"></div>
  <div class="field"><label for="i-address">Adres</label><textarea id="i-address" name="applicant.address" style="min-height:4rem"></textarea></div>
  <input type="hidden" name="location">
  <div class="actions"><button type="submit">Kaydet ve alındı belgesi ver</button></div>`;
  box.replaceChildren(f, el("section", { id: "intake-receipt", class: "card hidden", tabindex: "-1" }));
  await wirePickers(f);
  const cat = await loadCatalog();
  if (session.user.district) {
    f.querySelector("#province").value = session.user.district.split("-")[0];
    f.querySelector("#province").dispatchEvent(new Event("change"));
    f.querySelector("#district").value = session.user.district;
  }
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(f);
    const body = { ...applicationBody(f), channel: f.channel.value };
    if (f.received_at.value) body.received_at = `${f.received_at.value}:00+03:00`;
    const errors = clientChecks(f, body, isValidNationalId, normaliseMobile);
    if (errors.length) { showErrors(f, errors, live); return; }
    try {
      const r = await call("POST", "/v1/staff/intake", body);
      const out = document.getElementById("intake-receipt");
      out.replaceChildren(el("h2", {}, "Başvuru alındı"), el("dl", { class: "facts" },
        el("dt", {}, "Başvuru numarası"), el("dd", { class: "big-code" }, r.application_no),
        el("dt", {}, "Erişim kodu"), el("dd", { class: "big-code" }, r.access_code),
        el("dt", {}, "Teslim alınma"), el("dd", {}, fmtDateTime(r.received_at)),
        el("dt", {}, "Yasal son gün"), el("dd", {}, fmtDate(r.legal_due_date))),
        el("p", { class: "notice" }, "Erişim kodunu başvuru sahibine şimdi veriniz; tekrar gösterilmez."),
        el("div", { class: "actions" }, el("button", { type: "button", onclick: () => window.print() }, "Alındı belgesini yazdır")));
      f.classList.add("hidden");
      out.classList.remove("hidden");
      out.focus();
    } catch (err) { if (err.errors.length) showErrors(f, err.errors, live); say(live, err.message, "err"); }
  });
  void cat;
}

// --- dashboard -------------------------------------------------------------------------
async function renderDashboard() {
  show("dashboard");
  const box = document.getElementById("view-dashboard");
  const district = session.user.district || "";
  let d;
  try { d = await call("GET", `/v1/staff/dashboard${district ? "?district=" + district : ""}`); }
  catch (e) { box.replaceChildren(el("p", { class: "notice err" }, e.message)); return; }
  const open = ["received", "in_review", "forwarded", "awaiting_applicant", "institution_answered", "under_evaluation"]
    .reduce((n, s) => n + (d.counts[s] || 0), 0);
  box.replaceChildren(
    el("h2", {}, `Gösterge paneli · ${d.district_name}`),
    el("div", { class: "stats" },
      stat("Açık başvuru", open), stat("Bu hafta gelen", d.this_week_intake),
      stat("Zamanında sonuçlanan", d.on_time_rate === null ? "—" : `%${Math.round(d.on_time_rate * 100)}`),
      stat("Sonuçlanan (son 12 hafta)", d.concluded_recently)),
    el("section", { class: "card" }, el("h2", {}, "Durumlara göre"), el("dl", { class: "facts" },
      Object.entries(d.counts).map(([s, n]) => [el("dt", {}, STATUS[s] || s), el("dd", {}, String(n))]))),
    el("section", { class: "card" }, el("h2", {}, "Haftalık başvuru sayısı"), chart(d.weekly_volume)));
}

const stat = (label, value) => el("div", { class: "stat" }, el("b", {}, String(value)), label);

function chart(weeks) {
  const W = 600, H = 220, pad = 30, max = Math.max(1, ...weeks.map((w) => w.count));
  const bw = (W - pad * 2) / weeks.length;
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Son 12 haftanın başvuru sayıları: " + weeks.map((w) => `${fmtDate(w.week)} haftası ${w.count}`).join(", "));
  svg.style.width = "100%";
  weeks.forEach((w, i) => {
    const h = (H - pad * 2) * (w.count / max);
    const x = pad + i * bw + 4, y = H - pad - h;
    const rect = document.createElementNS(NS, "rect");
    Object.entries({ x, y, width: bw - 8, height: Math.max(h, 1), fill: "#a3151b" }).forEach(([k, v]) => rect.setAttribute(k, v));
    const label = document.createElementNS(NS, "text");
    Object.entries({ x: x + (bw - 8) / 2, y: H - 10, "text-anchor": "middle", "font-size": 11, fill: "#55575c" }).forEach(([k, v]) => label.setAttribute(k, v));
    label.textContent = w.week.slice(5).split("-").reverse().join(".");
    const count = document.createElementNS(NS, "text");
    Object.entries({ x: x + (bw - 8) / 2, y: y - 4, "text-anchor": "middle", "font-size": 12, fill: "#1d1d1f" }).forEach(([k, v]) => count.setAttribute(k, v));
    count.textContent = String(w.count);
    svg.append(rect, label, count);
  });
  return svg;
}

if (session) start().catch(() => logout()); else loginForm.classList.remove("hidden");
