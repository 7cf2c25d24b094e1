// The dashboard: counts by status, this week's intake, the on-time rate, weekly volume.
import { el, fmtDate, STATUS } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { call, session, show } from "./session.js";

let chosen = "";

// A province user sees the province first, a row per office, and can pick one office.
async function provincePicker(box) {
  const cat = await loadCatalog();
  const province = cat.provinces.find((p) => p.code === session.user.province);
  const offices = province ? province.offices || [] : [];
  const select = el("select", { id: "dashboard-district" },
    el("option", { value: "", selected: !chosen }, "İl geneli (tüm bürolar)"),
    offices.map((o) => el("option", { value: o.code, selected: o.code === chosen }, o.name)));
  select.addEventListener("change", () => { chosen = select.value; renderDashboard(); });
  return el("div", { class: "field no-print" }, el("label", { for: "dashboard-district" }, "Büro"), select);
}

const rate = (r) => (r === null || r === undefined ? "—" : `%${Math.round(r * 100)}`);

async function renderProvince(box, picker) {
  let d;
  try { d = await call("GET", "/v1/staff/dashboard/province"); }
  catch (e) { box.replaceChildren(picker, el("p", { class: "notice err" }, e.message)); return; }
  const t = d.totals;
  box.replaceChildren(picker,
    el("h2", {}, `Gösterge paneli · ${d.province_name} (il geneli)`),
    el("div", { class: "stats" }, stat("Açık başvuru", t.open), stat("Bu hafta gelen", t.this_week_intake),
      stat("Zamanında sonuçlanan", rate(t.on_time_rate)), stat("Sonuçlanan (son 12 hafta)", t.concluded_recently)),
    el("section", { class: "card table-wrap" }, el("table", { id: "province-table" },
      el("caption", {}, `${d.province_name}: ${t.offices} büro`),
      el("thead", {}, el("tr", {}, ["Büro", "Açık", "Bu hafta gelen", "Sonuçlanan (12 hafta)", "Zamanında"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, d.rows.map((r) => el("tr", { "data-office": r.office },
        el("th", { scope: "row" }, el("a", { href: `#${r.office}`, onclick: (e) => { e.preventDefault(); chosen = r.office; renderDashboard(); } }, r.office_name)),
        el("td", {}, String(r.open)), el("td", {}, String(r.this_week_intake)), el("td", {}, String(r.concluded_recently)),
        el("td", {}, rate(r.on_time_rate))))))));
}

export async function renderDashboard() {
  show("dashboard");
  const box = document.getElementById("view-dashboard");
  const picker = session.user.district ? null : await provincePicker(box);
  if (picker && !chosen) { await renderProvince(box, picker); return; }
  const district = session.user.district || chosen;
  let d;
  try { d = await call("GET", `/v1/staff/dashboard${district ? "?district=" + district : ""}`); }
  catch (e) { box.replaceChildren(...[picker, el("p", { class: "notice err" }, e.message)].filter(Boolean)); return; }
  const open = d.open;
  box.replaceChildren(...[picker,
    el("h2", {}, `Gösterge paneli · ${d.district_name}`),
    el("div", { class: "stats" },
      stat("Açık başvuru", open), stat("Bu hafta gelen", d.this_week_intake),
      stat("Zamanında sonuçlanan", rate(d.on_time_rate)),
      stat("Sonuçlanan (son 12 hafta)", d.concluded_recently)),
    el("section", { class: "card" }, el("h2", {}, "Durumlara göre"), el("dl", { class: "facts" },
      Object.entries(d.counts).map(([s, n]) => [el("dt", {}, STATUS[s] || s), el("dd", {}, String(n))]))),
    el("section", { class: "card" }, el("h2", {}, "Haftalık başvuru sayısı"), chart(d.weekly_volume))].filter(Boolean));
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
