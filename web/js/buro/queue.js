// The district queue: filters, a sortable table, "more" pages through the cursor.
import { clearErrors, el, fmtDate, say, showErrors, STATUS } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { call, download, go, live, session, show } from "./session.js";

let queueState = { items: [], cursor: null, params: {}, sort: "legal_days_left", dir: 1 };

export async function renderQueue(append = false) {
  show("queue");
  const box = document.getElementById("view-queue");
  const cat = await loadCatalog();
  placeNames = Object.fromEntries(cat.provinces.flatMap((p) => p.districts.map((d) => [d.code, d.code.endsWith("-il") ? `${p.name} (il geneli)` : d.name])));
  if (!append) {
    const f = el("form", { class: "card no-print", id: "filters", novalidate: true }, el("h2", {}, "İş kuyruğu"),
      el("div", { class: "filters" },
        sel("f-status", "Durum", "status", Object.entries(STATUS)),
        sel("f-type", "Tür", "type", cat.types.map((t) => [t.code, t.name])),
        sel("f-category", "Konu", "category", cat.headings.flatMap((h) => h.subjects.map((s) => [s.code, s.name]))),
        input("f-no", "Başvuru numarası", "application_no"),
        input("f-from", "Alınma (başlangıç)", "from", "date"),
        input("f-to", "Alınma (bitiş)", "to", "date"),
        session.user.role === "province" ? sel("f-office", "Büro", "district", provinceOffices(cat)) : null),
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "overdue", id: "f-overdue" }), "Yalnızca süresi geçenler"),
      el("div", { class: "actions" }, el("button", { type: "submit" }, "Filtrele")));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const p = {};
      for (const n of ["status", "type", "category", "application_no", "from", "to", "district"]) if (f[n] && f[n].value) p[n] = f[n].value;
      if (f.overdue.checked) p.overdue = "1";
      queueState = { ...queueState, params: p, items: [], cursor: null };
      loadQueue(box).catch((err) => say(live, err.message, "err"));
    });
    box.replaceChildren(f, session.user.role === "supervisor" ? exportPanel(f) : "", el("div", { id: "queue-table" }));
    queueState.items = []; queueState.cursor = null;
  }
  await loadQueue(box);
}

async function loadQueue(box) {
  const qs = new URLSearchParams({ ...queueState.params, limit: "25", ...(queueState.cursor ? { cursor: queueState.cursor } : {}) });
  const page = await call("GET", `/v1/staff/cases?${qs}`);
  queueState.items = queueState.items.concat(page.items);
  queueState.cursor = page.next_cursor;
  queueState.partial = page.partial;
  drawTable(box);
}

// A province user's queue mixes the province's offices: a filter by office, and a
// district column (the place each case is about).
function provinceOffices(cat) {
  const p = cat.provinces.find((x) => x.code === session.user.province);
  return p ? (p.offices || []).map((o) => [o.code, o.name]) : [];
}
let placeNames = {};

function drawTable(box) {
  const province = session.user.role === "province";
  const items = [...queueState.items].sort((a, b) => {
    const k = queueState.sort;
    const av = a[k] ?? Infinity, bv = b[k] ?? Infinity;
    return (av > bv ? 1 : av < bv ? -1 : 0) * queueState.dir;
  });
  const sortBtn = (key, label) => el("button", { type: "button", class: "sort", "aria-label": `${label} sütununa göre sırala`,
    onclick: () => { queueState.dir = queueState.sort === key ? -queueState.dir : 1; queueState.sort = key; drawTable(box); } },
    label, queueState.sort === key ? (queueState.dir > 0 ? " ▲" : " ▼") : "");
  const days = (n) => n === null || n === undefined ? "—" : n < 0 ? `${-n} gün geçti` : n === 0 ? "bugün" : `${n} gün`;
  const table = el("div", { class: "card table-wrap" }, el("table", { class: "cards" },
    el("caption", { class: "visually-hidden" }, "Başvurular, yasal son güne göre"),
    el("thead", {}, el("tr", {}, el("th", {}, "Numara"), el("th", {}, "Konu"), el("th", {}, "Durum"),
      province ? el("th", {}, sortBtn("district", "İlçe")) : null, el("th", {}, sortBtn("received_at", "Alınma")), el("th", {}, sortBtn("legal_days_left", "Yasal süre")),
      el("th", {}, sortBtn("sla_days_left", "Kurum süresi")))),
    el("tbody", {}, items.length ? items.map((c) => el("tr", { class: c.overdue ? "overdue" : "" },
      el("td", { "data-label": "Numara" }, el("a", { class: "code", href: `#${c.application_no}`, onclick: (e) => { e.preventDefault(); go("case", c.application_no); } }, c.application_no),
        c.overdue ? el("span", { class: "badge overdue" }, " süresi geçti") : null,
        c.repeat_of ? [" ", el("span", { class: "badge", title: `${c.repeat_of} numaralı önceki başvuruya benziyor` }, "olası tekrar")] : null),
      el("td", { "data-label": "Konu" }, c.subject, c.partner_name ? [el("br"), el("span", { class: "hint" }, `Open311 · ${c.partner_name}`)] : null),
      el("td", { "data-label": "Durum" }, STATUS[c.status] || c.status),
      province ? el("td", { "data-label": "İlçe" }, placeNames[c.district] || c.district) : null,
      el("td", { "data-label": "Alınma" }, fmtDate(c.received_at)),
      el("td", { "data-label": "Yasal süre" }, fmtDate(c.legal_due_date), " ", el("span", { class: "days" }, days(c.legal_days_left))),
      el("td", { "data-label": "Kurum süresi" }, c.sla_due_date ? [fmtDate(c.sla_due_date), el("br"), el("span", { class: "days" }, days(c.sla_days_left))] : "—")))
      : el("tr", {}, el("td", { colspan: province ? 7 : 6 }, "Bu ölçütlere uyan başvuru yok.")))),
    queueState.cursor && queueState.partial ? el("p", { class: "hint", id: "queue-partial" },
      "Süzgece uyan başvurular aranıyor: açık başvuruların bir bölümüne bakıldı. Aramayı sürdürmek için “Daha fazla göster”e basınız.") : null,
    queueState.cursor ? el("div", { class: "actions" }, el("button", { type: "button", class: "secondary",
      onclick: () => loadQueue(box).catch((err) => say(live, err.message, "err")) }, "Daha fazla göster")) : null);
  box.querySelector("#queue-table").replaceChildren(table);
}

const sel = (id, label, name, options) => el("div", { class: "field" }, el("label", { for: id }, label),
  el("select", { id, name }, el("option", { value: "" }, "Tümü"), options.map(([v, t]) => el("option", { value: v }, t))));
const input = (id, label, name, type = "text") => el("div", { class: "field" }, el("label", { for: id }, label),
  el("input", { id, name, type }));

// Supervisors export what the filters select as CSV (no national id, phone or address);
// names only when ticked, with a reason. Every export is audited with its row count.
function exportPanel(filters) {
  const names = el("input", { type: "checkbox", id: "export-names", name: "names" });
  const reason = el("textarea", { id: "export-reason", name: "reason", rows: 2, "aria-describedby": "export-reason-hint" });
  const reasonBox = el("div", { class: "field", hidden: true }, el("label", { for: "export-reason" }, "Adların gerekçesi"),
    el("span", { class: "hint", id: "export-reason-hint" }, "En az 10 karakter. Gerekçe dışa aktarım kaydına yazılır."), reason);
  names.addEventListener("change", () => { reasonBox.hidden = !names.checked; });
  const status = el("p", { id: "export-status", class: "hint" });
  const form = el("form", { class: "card no-print", id: "export", novalidate: true },
    el("h2", {}, "CSV olarak dışa aktar"),
    el("p", { class: "hint" }, "Yukarıdaki filtrelere uyan başvurular; T.C. kimlik numarası, telefon ve adres yer almaz."),
    el("label", { class: "check" }, names, "Başvuru sahibinin adını da ekle"), reasonBox,
    el("div", { class: "actions" }, el("button", { type: "submit", class: "secondary" }, "CSV indir")), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const q = new URLSearchParams();
    for (const n of ["status", "type", "category", "from", "to"]) if (filters[n].value) q.set(n, filters[n].value);
    if (filters.overdue.checked) q.set("overdue", "1");
    if (names.checked) { q.set("names", "1"); q.set("reason", reason.value.trim()); }
    status.textContent = "Hazırlanıyor…";
    try {
      const file = await download(`/v1/staff/cases/export?${q}`);
      const a = el("a", { href: file.url, download: file.filename, id: "export-link" }, `${file.filename} (${file.rows} satır)`);
      status.replaceChildren("Dosya hazır: ", a);
      a.click();
      say(live, `${file.rows} satırlık dosya hazırlandı.`, "ok");
    } catch (err) {
      status.textContent = "";
      if (err.errors.length && err.errors[0].field) showErrors(form, err.errors, live);
      say(live, err.message, "err");
    }
  });
  return form;
}
