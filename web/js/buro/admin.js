// Administration ("Yönetim"): an office's settings, its institutions (with the liaison
// address confirmed by a test link), its staff (invite, disable, reset two-factor) and
// the audit of each. A national admin picks any office, a province admin one of their
// province's, a supervisor sees their own office (and its desk staff).
import { clearErrors, el, fmtDateTime, say, showErrors } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { call, live, session, show } from "./session.js";

const ROLE = { desk: "Büro personeli", supervisor: "Büro sorumlusu", province: "İl yöneticisi", admin: "Ulusal yönetici" };
const ACTION = { update_office: "Büro ayarları değişti", update_district: "Kurum listesi değişti",
  send_confirm_link: "Onay bağlantısı gönderildi", confirm_liaison: "İrtibat adresi onaylandı",
  inbox_link_send: "Gelen kutusu bağlantısı gönderildi", inbox_link_rotate: "Gelen kutusu bağlantısı yenilendi",
  inbox_link_revoke: "Gelen kutusu bağlantısı iptal edildi",
  invite_staff: "Personel davet edildi", update_staff: "Yetki ya da giriş izni değişti",
  reset_mfa: "Doğrulama uygulaması sıfırlandı" };
let current = null;        // the office code on screen

function offices(cat) {
  const u = session.user;
  const all = cat.provinces.flatMap((p) => p.offices.map((o) => ({ ...o, province: p.code, provinceName: p.name })));
  if (u.role === "supervisor") return all.filter((o) => o.code === u.district);
  if (u.role === "province") return all.filter((o) => o.province === u.province);
  return all;
}

export async function renderAdmin(code) {
  show("admin");
  const box = document.getElementById("view-admin");
  const cat = await loadCatalog();
  const mine = offices(cat);
  current = code || current || (mine[0] && mine[0].code);
  const picker = el("select", { id: "admin-office", name: "office" },
    mine.map((o) => el("option", { value: o.code, selected: o.code === current }, session.user.role === "admin" ? `${o.name} (${o.provinceName})` : o.name)));
  picker.addEventListener("change", () => renderAdmin(picker.value));
  const head = [el("h2", { id: "admin-title", tabindex: "-1" }, "Yönetim"),
    el("div", { class: "field" }, el("label", { for: "admin-office" }, "Büro"), picker)];
  box.replaceChildren(...head, el("p", { class: "hint" }, "Yükleniyor…"));
  let office;
  try { office = await call("GET", `/v1/staff/offices/${encodeURIComponent(current)}`); }
  catch (e) { box.replaceChildren(...head, el("p", { class: "notice err" }, e.message)); return; }
  const places = await Promise.all(office.serves.map((p) => call("GET", `/v1/staff/districts/${encodeURIComponent(p)}`)
    .catch((e) => ({ district: p, error: e.message, institutions: [] }))));
  let staff = null;
  try { staff = await call("GET", `/v1/staff/users?office=${encodeURIComponent(current)}`); }
  catch (e) { staff = { items: [], error: e.message }; }
  const names = Object.fromEntries(cat.provinces.flatMap((p) => p.districts.map((d) => [d.code, d.name])));
  box.replaceChildren(...head, officeForm(office), routingCard(office, cat),
    ...places.map((p) => institutionsCard(p, names[p.district] || p.district, cat.institution_kinds || {})),
    staffCard(staff), auditCard(office, places));
}

const field = (id, label, input, hint) => el("div", { class: "field" },
  el("label", { for: id }, label), hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null, input);
const text = (id, name, value, attrs = {}) => el("input", { id, name, value: value || "", ...attrs });
const check = (id, name, checked, label) => el("div", { class: "field check" },
  el("input", { type: "checkbox", id, name, checked: !!checked }), el("label", { for: id }, label));

function officeForm(o) {
  const form = el("form", { class: "card", id: "office-form", novalidate: true },
    el("h3", {}, `Büro ayarları: ${o.name}`),
    field("o-email", "Büronun e-posta adresi", text("o-email", "email", o.email, { type: "email", autocomplete: "off" }),
      "Bildirimler ve günlük özet buraya gider."),
    field("o-supervisor", "Büro sorumlusunun e-posta adresi", text("o-supervisor", "supervisor_email", o.supervisor_email, { type: "email" })),
    field("o-kep", "KEP adresi", text("o-kep", "kep", o.kep, { type: "email" })),
    field("o-address", "Adres", text("o-address", "address", o.address)),
    field("o-phone", "Telefon", text("o-phone", "phone", o.phone, { inputmode: "tel" })),
    field("o-detsis", "DETSİS numarası", text("o-detsis", "detsis", o.detsis, { inputmode: "numeric" })),
    check("o-onboarded", "onboarded", o.onboarded, "Büro Açık Kapı'ya katıldı (başvuru alır)"),
    check("o-auto", "auto_forward", o.auto_forward, "Açık konulu başvurular yetkili kuruma kendiliğinden iletilsin"),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Büro ayarlarını kaydet")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = (n) => form[n].value.trim() || null;
    const body = { email: v("email"), supervisor_email: v("supervisor_email"), kep: v("kep"), address: v("address"),
      phone: v("phone"), detsis: v("detsis"), onboarded: form.onboarded.checked, auto_forward: form.auto_forward.checked,
      routing: o.routing, version: o.version };
    try {
      await call("PUT", `/v1/staff/offices/${encodeURIComponent(o.code)}`, body);
      await renderAdmin(o.code);
      say(live, "Büro ayarları kaydedildi.", "ok");
    } catch (err) { if (err.errors.length && err.errors[0].field) showErrors(form, err.errors, live); else say(live, err.message, "err"); }
  });
  return form;
}

// The office's own routing rules: for a subject, the kinds of institution its cases go to,
// where the office's practice differs from the national rule (saved with the office's settings).
function routingCard(o, cat) {
  const subjects = Object.fromEntries(cat.headings.flatMap((h) => h.subjects.map((x) => [x.code, `${h.name} › ${x.name}`])));
  const kinds = cat.institution_kinds || {};
  const rules = Object.entries(o.routing || {});
  const save = async (routing, message) => {
    try {
      await call("PUT", `/v1/staff/offices/${encodeURIComponent(o.code)}`, { ...officeBody(o), routing });
      await renderAdmin(o.code);
      say(live, message, "ok");
    } catch (err) { say(live, err.message, "err"); }
  };
  const subject = el("select", { id: "r-subject", name: "subject" }, el("option", { value: "" }, "Seçiniz"),
    Object.entries(subjects).map(([code, name]) => el("option", { value: code }, name)));
  const boxes = el("fieldset", { id: "r-kinds" }, el("legend", {}, "Gideceği kurum türleri"),
    Object.entries(kinds).map(([code, name]) => el("label", { class: "check" }, el("input", { type: "checkbox", value: code, name: "kinds" }), name)));
  const form = el("form", { class: "card inset", id: "routing-form", novalidate: true },
    el("h4", {}, "Kural ekle ya da değiştir"),
    el("div", { class: "field" }, el("label", { for: "r-subject" }, "Konu"), subject), boxes,
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Kuralı kaydet")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearErrors(form);
    const chosen = [...boxes.querySelectorAll("input:checked")].map((x) => x.value);
    if (!subject.value) { showErrors(form, [{ field: "subject", message: "Konuyu seçiniz." }], live); return; }
    if (!chosen.length) { showErrors(form, [{ field: "kinds", message: "En az bir kurum türü seçiniz." }], live); return; }
    save({ ...(o.routing || {}), [subject.value]: chosen }, `${subjects[subject.value]} için kural kaydedildi.`);
  });
  return el("section", { class: "card", "aria-labelledby": "routing-title" },
    el("h3", { id: "routing-title" }, "Yönlendirme kuralları"),
    el("p", { class: "hint" }, "Bir konudaki başvuruların hangi kurumlara gideceği ulusal kurala göre belirlenir; büronuzun uygulaması farklıysa burada o konu için kurum türlerini seçiniz."),
    rules.length ? el("div", { class: "table-wrap" }, el("table", { id: "routing-table" },
      el("caption", {}, "Büronun kendi kuralları"),
      el("thead", {}, el("tr", {}, ["Konu", "Kurum türleri", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rules.map(([code, list]) => el("tr", { "data-subject": code },
        el("td", {}, subjects[code] || code), el("td", {}, list.map((k) => kinds[k] || k).join(", ")),
        el("td", {}, el("button", { type: "button", class: "secondary", "aria-label": `${subjects[code] || code} kuralını kaldır`,
          onclick: () => { const rest = { ...o.routing }; delete rest[code]; save(rest, "Kural kaldırıldı; konu ulusal kurala göre yönlendirilecek."); } },
          "Kaldır")))))))
      : el("p", {}, "Büronun kendi kuralı yok: her konu ulusal kurala göre yönlendirilir."),
    form);
}

function officeBody(o) {
  return { email: o.email, supervisor_email: o.supervisor_email, kep: o.kep, address: o.address, phone: o.phone,
    detsis: o.detsis, onboarded: o.onboarded, auto_forward: o.auto_forward, routing: o.routing, version: o.version };
}

function rowsOf(place) {
  return place.institutions.map((i) => ({ id: i.id, kind: i.kind, name: i.name, liaison_email: i.liaison_email,
    sla_days: i.sla_days, send_method: i.send_method, endpoint: i.endpoint, confirmed: i.confirmed, detsis: i.detsis,
    active: i.active, inbox_digest: !!i.inbox_digest }));
}

async function saveInstitutions(place, rows, form) {
  try {
    const saved = await call("PUT", `/v1/staff/districts/${encodeURIComponent(place.district)}`, { institutions: rows, version: place.version });
    return saved;
  } catch (err) {
    if (form && err.errors.length && err.errors[0].field) {
      // the API names the row (institutions.3.liaison_email): the form has one row's fields
      showErrors(form, err.errors.map((x) => ({ ...x, field: (x.field || "").replace(/^institutions\.\d+\./, "") })), live);
    } else say(live, err.message, "err");
    return null;
  }
}

function institutionsCard(place, placeName, kinds) {
  const card = el("section", { class: "card", "aria-labelledby": `inst-${place.district}` },
    el("h3", { id: `inst-${place.district}` }, `Kurumlar: ${placeName}`));
  if (place.error) { card.append(el("p", { class: "notice err" }, place.error)); return card; }
  const rows = rowsOf(place);
  const table = el("div", { class: "table-wrap" }, el("table", { class: "institutions" },
    el("caption", {}, `${placeName} kurumları ve irtibat adresleri`),
    el("thead", {}, el("tr", {}, ["Kurum", "İrtibat adresi", "Durum", ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r, n) => el("tr", { "data-institution": r.id },
      el("td", {}, r.name), el("td", {}, r.send_method === "email_link" ? (r.liaison_email || "—") : `Sistemden sisteme: ${r.endpoint || "—"}`),
      el("td", { class: "state" }, !r.active ? "Devre dışı" : r.confirmed ? "Onaylı" : r.liaison_email ? "Onay bekliyor" : "Adres yok"),
      el("td", { class: "actions flush" },
        el("button", { type: "button", class: "secondary", "aria-label": `${r.name}: düzenle`, onclick: () => editRow(card, place, rows, n) }, "Düzenle"),
        r.active && r.send_method === "email_link" && r.liaison_email && !r.confirmed ? el("button", { type: "button", class: "secondary",
          "aria-label": `${r.name}: onay bağlantısı gönder`, onclick: () => sendConfirm(place, r) }, "Onay bağlantısı gönder") : null,
        r.active && r.confirmed && r.send_method === "email_link" && r.liaison_email ? el("button", { type: "button", class: "secondary",
          "aria-label": `${r.name}: gelen kutusu bağlantısı gönder`, onclick: () => inboxLink(place, r, "send") }, "Gelen kutusu bağlantısı") : null))))));
  card.append(table, el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", id: `add-inst-${place.district}`,
    onclick: () => editRow(card, place, rows, -1, kinds) }, "Kurum ekle")));
  return card;
}

function editRow(card, place, rows, n, kinds) {
  card.querySelector("form")?.remove();
  const r = n >= 0 ? rows[n] : { id: "", kind: "", name: "", liaison_email: "", sla_days: null, send_method: "email_link", active: true };
  const id = (x) => `i-${x}`;
  const form = el("form", { class: "card inset", id: "institution-form", novalidate: true },
    el("h4", {}, n >= 0 ? `${r.name}: düzenle` : "Yeni kurum"),
    n < 0 ? field(id("kind"), "Kurum türü", el("select", { id: id("kind"), name: "kind", required: true }, el("option", { value: "" }, "Seçiniz"),
      Object.entries(kinds || {}).map(([code, name]) => el("option", { value: code }, name)))) : null,
    field(id("name"), "Kurumun adı", text(id("name"), "name", r.name, { required: true, maxlength: 200 })),
    field(id("email"), "İrtibat e-posta adresi", text(id("email"), "liaison_email", r.liaison_email, { type: "email" }),
      "Adres değişince onay yeniden gerekir; onaylanana kadar kuruma e-postayla başvuru iletilmez."),
    field(id("sla"), "Cevap süresi (iş günü, boş bırakılırsa konuya göre)", text(id("sla"), "sla_days", r.sla_days, { inputmode: "numeric" })),
    check(id("active"), "active", r.active, "Etkin (devre dışı kurum yeni başvuru almaz; eski başvurularında kalır)"),
    check(id("digest"), "inbox_digest", r.inbox_digest, "Her başvuru için ayrı hatırlatma yerine günde bir özet (gelen kutusu bağlantısıyla)"),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Kurumu kaydet"),
      el("button", { type: "button", class: "secondary", onclick: () => form.remove() }, "Vazgeç")),
    n >= 0 ? el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => inboxLink(place, r, "rotate") }, "Gelen kutusu bağlantısını yenile"),
      el("button", { type: "button", class: "secondary", onclick: () => inboxLink(place, r, "revoke") }, "Gelen kutusu bağlantısını iptal et")) : null);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const kind = n >= 0 ? r.kind : form.kind.value;
    if (n < 0 && !kind) { showErrors(form, [{ field: "kind", message: "Kurum türünü seçiniz." }], live); return; }
    let newId = r.id;
    if (n < 0) {      // the place's code and the kind; a second of the same kind gets a number
      newId = `${place.district}.${kind}`;
      for (let k = 2; rows.some((x) => x.id === newId); k++) newId = `${place.district}.${kind}-${k}`;
    }
    const sla = form.sla_days.value.trim();
    const row = { ...r, id: newId, kind, name: form.name.value.trim(), liaison_email: form.liaison_email.value.trim() || null,
      sla_days: sla ? Number(sla) : null, active: form.active.checked, inbox_digest: form.inbox_digest.checked };
    const next = n >= 0 ? rows.map((x, k) => (k === n ? row : x)) : [...rows, row];
    if (await saveInstitutions(place, next, form)) {
      await renderAdmin(current);
      say(live, `${row.name} kaydedildi.${row.liaison_email && row.send_method === "email_link" ? " İrtibat adresini onaylatmak için onay bağlantısı gönderiniz." : ""}`, "ok");
    }
  });
  card.append(form);
  form.querySelector("input, select").focus();
}

async function sendConfirm(place, r) {
  try {
    const sent = await call("POST", `/v1/staff/districts/${encodeURIComponent(place.district)}/institutions/${encodeURIComponent(r.id)}/confirm-link`, {});
    say(live, `${r.liaison_email} adresine onay bağlantısı gönderildi (${sent.expires_on} tarihine kadar geçerli). Adres, bağlantı açılıp onaylanınca kullanılır.`, "ok");
  } catch (e) { say(live, e.message, "err"); }
}

async function inboxLink(place, r, action) {
  const ask = { rotate: `${r.name} için yeni gelen kutusu bağlantısı gönderilsin mi? Eski bağlantı hemen geçersiz olur.`,
    revoke: `${r.name} gelen kutusu bağlantısı iptal edilsin mi? Kurum, yeni bağlantı gönderilene kadar listeyi göremez.` }[action];
  if (ask && !window.confirm(ask)) return;
  try {
    const done = await call("POST", `/v1/staff/districts/${encodeURIComponent(place.district)}/institutions/${encodeURIComponent(r.id)}/inbox-link`, { action });
    say(live, action === "revoke" ? `${r.name} gelen kutusu bağlantısı iptal edildi.`
      : `${r.liaison_email} adresine gelen kutusu bağlantısı gönderildi (${done.expires_on} tarihine kadar geçerli).`, "ok");
  } catch (e) { say(live, e.message, "err"); }
}

function staffCard(staff) {
  const u = session.user;
  const card = el("section", { class: "card", "aria-labelledby": "staff-title" }, el("h3", { id: "staff-title" }, "Personel"));
  if (staff.error) { card.append(el("p", { class: "notice err" }, staff.error)); return card; }
  card.append(el("div", { class: "table-wrap" }, el("table", { id: "staff-table" },
    el("caption", {}, "Büronun personeli"),
    el("thead", {}, el("tr", {}, ["Kullanıcı", "Ad soyad", "Rol", "Durum", ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, staff.items.length ? staff.items.map((m) => el("tr", { "data-user": m.username },
      el("td", {}, m.username), el("td", {}, m.name || "—"), el("td", {}, ROLE[m.role] || m.role),
      el("td", { class: "state" }, m.enabled ? "Etkin" : "Devre dışı"),
      el("td", { class: "actions flush" }, m.username === u.username || (u.role === "supervisor" && m.role !== "desk") ? null : [
        el("button", { type: "button", class: "secondary", "aria-label": `${m.username}: ${m.enabled ? "devre dışı bırak" : "etkinleştir"}`,
          onclick: () => setEnabled(m, !m.enabled) }, m.enabled ? "Devre dışı bırak" : "Etkinleştir"),
        el("button", { type: "button", class: "secondary", "aria-label": `${m.username}: doğrulamayı sıfırla`,
          onclick: () => resetMfa(m) }, "Doğrulamayı sıfırla"),
        el("button", { type: "button", class: "secondary", "aria-label": `${m.username}: denetim kaydı`,
          onclick: () => showAudit(`STAFF-${m.username}`, `${m.username} denetim kaydı`) }, "Denetim kaydı")])))
      : el("tr", {}, el("td", { colspan: 5 }, "Henüz personel yok."))))));
  card.append(inviteForm());
  return card;
}

function inviteForm() {
  const u = session.user;
  const roles = u.role === "supervisor" ? ["desk"] : ["desk", "supervisor"];
  const form = el("form", { class: "card inset", id: "invite-form", novalidate: true },
    el("h4", {}, "Personel davet et"),
    el("p", { class: "hint" }, "Davet edilen kişiye geçici parola e-postayla gider (3 gün geçerli). İlk girişte kendi parolasını belirler ve telefonuna bir doğrulama uygulaması kurar."),
    field("inv-username", "Kullanıcı adı", text("inv-username", "username", "", { required: true, autocomplete: "off", autocapitalize: "none", spellcheck: "false" }),
      "Küçük harf, rakam, nokta ya da tire; örneğin masa.ilce2"),
    field("inv-name", "Ad soyad", text("inv-name", "name", "", { required: true })),
    field("inv-email", "E-posta adresi", text("inv-email", "email", "", { type: "email", required: true })),
    field("inv-role", "Rol", el("select", { id: "inv-role", name: "role" }, roles.map((r) => el("option", { value: r }, ROLE[r])))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Davet et")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { username: form.username.value.trim(), name: form.name.value.trim(), email: form.email.value.trim(),
      role: form.role.value, district: current };
    try {
      await call("POST", "/v1/staff/users", body);
      await renderAdmin(current);
      say(live, `${body.username} davet edildi; geçici parola ${body.email} adresine gönderildi.`, "ok");
    } catch (err) { if (err.errors.length && err.errors[0].field) showErrors(form, err.errors, live); else say(live, err.message, "err"); }
  });
  return form;
}

async function setEnabled(m, enabled) {
  if (!enabled && !window.confirm(`${m.username} devre dışı bırakılsın mı? Açık oturumları kapanır ve giriş yapamaz.`)) return;
  try {
    await call("PUT", `/v1/staff/users/${encodeURIComponent(m.username)}`, { role: m.role, district: m.district, province: m.province, enabled, version: m.version });
    await renderAdmin(current);
    say(live, `${m.username} ${enabled ? "etkinleştirildi" : "devre dışı bırakıldı"}.`, "ok");
  } catch (e) { say(live, e.message, "err"); }
}

async function resetMfa(m) {
  if (!window.confirm(`${m.username} için doğrulama uygulaması sıfırlansın mı? Oturumları kapanır; yeni geçici parola e-postayla gider ve ilk girişte uygulamayı yeniden kurar.`)) return;
  try {
    await call("POST", `/v1/staff/users/${encodeURIComponent(m.username)}/reset-mfa`, {});
    say(live, `${m.username} için doğrulama sıfırlandı; yeni geçici parola e-postayla gönderildi.`, "ok");
  } catch (e) { say(live, e.message, "err"); }
}

function auditCard(office, places) {
  return el("section", { class: "card", "aria-labelledby": "audit-title" }, el("h3", { id: "audit-title" }, "Denetim kaydı"),
    el("p", { class: "hint" }, "Her yönetim değişikliği kimin, ne zaman, nereden yaptığıyla kaydedilir."),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => showAudit(`OFFICE-${office.code}`, "Büro ayarları denetim kaydı") }, "Büro ayarları"),
      places.map((p) => el("button", { type: "button", class: "secondary", onclick: () => showAudit(`DISTRICT-${p.district}`, `Kurumlar denetim kaydı (${p.district})`) },
        places.length > 1 ? `Kurumlar (${p.district})` : "Kurumlar"))),
    el("div", { id: "audit-box" }));
}

async function showAudit(subject, title) {
  const box = document.getElementById("audit-box");
  let data;
  try { data = await call("GET", `/v1/staff/admin-audit?subject=${encodeURIComponent(subject)}`); }
  catch (e) { say(live, e.message, "err"); return; }
  box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { id: "admin-audit" },
    el("caption", { tabindex: "-1", id: "admin-audit-caption" }, title),
    el("thead", {}, el("tr", {}, ["Zaman", "Kim", "İşlem", "Ayrıntı"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, data.entries.length ? data.entries.map((e) => el("tr", {},
      el("td", {}, fmtDateTime(e.at)), el("td", {}, `${e.actor} (${ROLE[e.role] || (e.role === "institution" ? "kurum" : e.role)})`),
      el("td", {}, ACTION[e.action] || e.action),
      el("td", {}, Object.entries(e.detail || {}).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`).join("; "))))
      : el("tr", {}, el("td", { colspan: 4 }, "Kayıt yok."))))));
  document.getElementById("admin-audit-caption").focus();
}
