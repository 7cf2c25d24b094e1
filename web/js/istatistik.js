// The open statistics: GET /v1/stats (public, cached), shown as tiles, an SVG bar chart
// with a table beside it (the chart is a picture of the table; screen readers get both),
// and the open data as CSV. A hidden (suppressed) number is written "gizli".
import { api, API_BASE, el } from "./api.js";
import { loadCatalog } from "./catalog.js";
import { lang, locale } from "./i18n.js";

const live = document.getElementById("live");
// the page's one live region stays present and visually hidden: it only announces
const say = (_node, text) => { live.textContent = ""; setTimeout(() => { live.textContent = text; }, 50); };
const form = document.getElementById("scope");
const result = document.getElementById("result");
const MONTHS = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"];
const monthName = (m) => lang === "tr" ? `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`
  : new Date(`${m.slice(0, 7)}-15T12:00:00Z`).toLocaleDateString(locale, { month: "long", year: "numeric", timeZone: "UTC" });
const num = (v) => v === null || v === undefined ? "gizli" : Number(v).toLocaleString(locale);
const pct = (v) => v === null || v === undefined ? "—" : lang === "tr" ? `%${Number(v).toLocaleString(locale)}`
  : `${Number(v).toLocaleString(locale)}%`;
const dec = (v) => v === null || v === undefined ? "—" : Number(v).toLocaleString(locale);
let types = {};

function query(fmt) {
  const q = new URLSearchParams();
  if (form.month.value) q.set("month", form.month.value);
  if (form.province.value) q.set("province", form.province.value);
  if (fmt) q.set("format", fmt);
  return q.toString();
}

function chart(rows) {
  // received and concluded per type: horizontal bars, labelled with their numbers
  const shown = rows.filter((r) => r.type !== "all");
  const max = Math.max(1, ...shown.map((r) => r.received || 0));
  // drawn at the box's own width, one unit a CSS pixel: the text keeps its size on a phone
  // (a fixed 620-unit drawing shrank it to about 5 px at 360 px)
  const box = document.getElementById("by-type-chart");
  const width = Math.round(Math.max(280, Math.min(620, (box && box.clientWidth) || 620)));
  const rowH = 44, labelW = Math.min(150, Math.round(width * 0.4)), barW = width - labelW - 70;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${shown.length * rowH + 10}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "by-type-title by-type-desc");
  svg.setAttribute("class", "chart");
  const ns = (tag, attrs, text) => {
    const n = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs).forEach(([k, v]) => n.setAttribute(k, v));
    if (text !== undefined) n.textContent = text;
    svg.appendChild(n);
    return n;
  };
  ns("title", { id: "by-type-title" }, "Türe göre alınan ve sonuçlanan başvurular");
  ns("desc", { id: "by-type-desc" }, shown.map((r) => `${types[r.type] || r.type}: ${num(r.received)} alınan, ${num(r.concluded)} sonuçlanan`).join("; "));
  shown.forEach((r, i) => {
    const y = i * rowH + 6;
    ns("text", { x: 0, y: y + 17, class: "label" }, types[r.type] || r.type);
    const w1 = r.received ? Math.max(2, barW * r.received / max) : 0;
    const w2 = r.concluded ? Math.max(2, barW * r.concluded / max) : 0;
    ns("rect", { x: labelW, y, width: w1, height: 16, class: "bar received" });
    ns("text", { x: labelW + w1 + 6, y: y + 13, class: "value" }, num(r.received));
    ns("rect", { x: labelW, y: y + 19, width: w2, height: 16, class: "bar concluded" });
    ns("text", { x: labelW + w2 + 6, y: y + 32, class: "value" }, num(r.concluded));
  });
  const legend = el("p", { class: "legend hint" }, el("span", { class: "key received" }), " Alınan  ",
    el("span", { class: "key concluded" }), " Sonuçlanan");
  return [svg, legend];
}

function table(node, caption, first, rows, key) {
  node.replaceChildren(
    el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, [first, "Alınan", "Sonuçlanan", "İşleme alınmayan", "Süre medyanı (gün)",
      "Yasal sürede (%)", "Anket (1–5)"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {},
      el("th", { scope: "row" }, key(r)), el("td", {}, num(r.received)), el("td", {}, num(r.concluded)),
      el("td", {}, num(r.not_processed)), el("td", {}, dec(r.median_days)), el("td", {}, pct(r.on_time_share)),
      el("td", {}, dec(r.survey_average))))));
}

function render(data) {
  if (!data.month) {
    document.getElementById("empty").classList.remove("hidden");
    result.classList.add("hidden");
    say(live, "Henüz yayımlanmış istatistik yok.");
    return;
  }
  document.getElementById("empty").classList.add("hidden");
  const months = data.months.map((m) => m.month).reverse();
  form.month.replaceChildren(...months.map((m) => el("option", { value: m }, monthName(m))));
  form.month.value = data.month;
  const province = form.province.value;
  const placeName = province ? form.province.selectedOptions[0].textContent : "Türkiye geneli";
  const total = data.rows.find((r) => r.type === "all" && r.level === (province ? "province" : "national"));
  const own = data.rows.filter((r) => r.level === (province ? "province" : "national"));
  const places = data.rows.filter((r) => r.type === "all" && r.level === (province ? "district" : "province"));
  const heading = document.getElementById("result-heading");
  heading.textContent = `${placeName}, ${monthName(data.month)}`;
  document.getElementById("provisional").textContent = data.provisional
    ? "Bu ay henüz bitmedi: sayılar her gece güncellenir ve ay sonunda kesinleşir." : "Kesinleşmiş aylık sayılar.";
  document.getElementById("tiles").replaceChildren(...[
    ["Alınan", num(total.received)], ["Sonuçlanan", num(total.concluded)],
    ["Yasal sürede sonuçlanan", pct(total.on_time_share)], ["Sonuçlanma süresi medyanı", total.median_days === null ? "—" : `${dec(total.median_days)} gün`],
  ].map(([label, value]) => el("div", { class: "stat" }, el("span", {}, label), el("b", {}, value))));
  result.classList.remove("hidden");      // shown first: the chart is drawn at its box's width
  document.getElementById("by-type-chart").replaceChildren(...chart(own));
  table(document.getElementById("by-type"), "Türe göre başvurular", "Tür", own,
    (r) => r.type === "all" ? "Tüm türler" : (types[r.type] || r.type));
  document.getElementById("by-place-heading").textContent = province ? "İlçelere göre" : "İllere göre";
  table(document.getElementById("by-place"), province ? "İlçelere göre başvurular" : "İllere göre başvurular",
    province ? "İlçe" : "İl", places, (r) => province ? r.district_name : r.province_name);
  const download = document.getElementById("download");      // offered only once there are figures to download
  download.href = `${API_BASE}/v1/stats?${query("csv")}`;
  download.hidden = false;
  result.classList.remove("hidden");
  // offline, the worker answers with the figures last fetched on this device: said, and shown
  const offline = document.getElementById("offline-figures");
  offline.textContent = navigator.onLine ? "" : `Bağlantınız yok: ${placeName}, ${monthName(data.month)} için bu cihazda en son görülen rakamlar gösteriliyor.`;
  offline.hidden = navigator.onLine;
  say(live, navigator.onLine ? `${placeName}, ${monthName(data.month)} istatistikleri gösteriliyor.` : offline.textContent);
}

async function load(focus) {
  try {
    render(await api("GET", `/v1/stats?${query()}`));
    if (focus) document.getElementById("result-heading").focus();
  } catch (err) {
    const message = err.status === 0 && !navigator.onLine
      ? "Bağlantınız yok ve bu seçim için bu cihazda kayıtlı rakam bulunmuyor; bağlantınız gelince yeniden deneyiniz." : err.message;
    say(live, message);
    const box = document.getElementById("empty");
    box.textContent = message;
    box.classList.remove("hidden");
  }
}

form.addEventListener("submit", (e) => { e.preventDefault(); load(true); });

(async () => {
  try {
    const cat = await loadCatalog();
    types = Object.fromEntries(cat.types.map((t) => [t.code, t.name]));
    form.province.append(...cat.provinces.map((p) => el("option", { value: p.code }, `${p.name} (${p.code})`)));
  } catch { /* the catalogue is only for names; the codes still show */ }
  await load(false);
})();

