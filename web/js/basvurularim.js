// "Başvurularım": a code by SMS, a 30-minute session (this tab only), the list of the
// person's applications, each opened in the tracking page without the access code.
import { api, clearErrors, el, fmtDate, say, showErrors, STATUS } from "./api.js";

const live = document.getElementById("live");
const ask = document.getElementById("otp-request");
const verify = document.getElementById("otp-verify");
const mine = document.getElementById("mine");
const KEY = "acikkapi.citizen";

function person() { return { national_id: ask.national_id.value.trim(), phone: ask.phone.value.trim() }; }

async function requestCode() {
  clearErrors(ask);
  try {
    const r = await api("POST", "/v1/citizen/otp", { body: person() });
    verify.classList.remove("hidden");
    say(live, r.message, "ok");
    verify.code.focus();
  } catch (err) { if (err.errors.length && err.errors[0].field) showErrors(ask, err.errors, live); else say(live, err.message, "err"); }
}

ask.addEventListener("submit", (e) => { e.preventDefault(); requestCode(); });
document.getElementById("otp-again").addEventListener("click", requestCode);

verify.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(verify);
  try {
    const s = await api("POST", "/v1/citizen/session", { body: { ...person(), code: verify.code.value.trim() } });
    sessionStorage.setItem(KEY, s.token);
    verify.reset();
    await list();
  } catch (err) { if (err.errors.length && err.errors[0].field) showErrors(verify, err.errors, live); else say(live, err.message, "err"); }
});

async function list() {
  const token = sessionStorage.getItem(KEY);
  if (!token) return;
  let data;
  try { data = await api("GET", "/v1/citizen/applications", { headers: { Authorization: `Bearer ${token}` } }); }
  catch (err) { sessionStorage.removeItem(KEY); if (err.status !== 401) say(live, err.message, "err"); return; }
  ask.classList.add("hidden");
  verify.classList.add("hidden");
  mine.classList.remove("hidden");
  mine.replaceChildren(el("div", { class: "card table-wrap" },
    el("h2", { id: "mine-title", tabindex: "-1" }, `Başvurularınız (${data.applications.length})`),
    // on a phone each application is a card, its cells labelled (no sideways scrolling at 360 px)
    el("table", { id: "mine-table", class: "cards" }, el("caption", { class: "visually-hidden" }, "Başvurularınız, yeniden eskiye"),
      el("thead", {}, el("tr", {}, ["Numara", "Konu", "Durum", "Alınma", "Yasal son gün"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, data.applications.length ? data.applications.map((a) => el("tr", {},
        el("td", { "data-label": "Numara" }, el("a", { href: `izle.html#no=${encodeURIComponent(a.application_no)}&oturum=1` }, a.application_no)),
        el("td", { "data-label": "Konu", translate: "no" }, a.subject), el("td", { "data-label": "Durum" }, STATUS[a.status] || a.status),
        el("td", { "data-label": "Alınma" }, fmtDate(a.received_at)),
        el("td", { "data-label": "Yasal son gün" }, a.legal_due_date ? fmtDate(a.legal_due_date) : "Yok")))
        : el("tr", {}, el("td", { colspan: 5 }, "Bu kimlik numarası ve telefonla yapılmış başvuru bulunamadı."))))),
    el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", onclick: () => { sessionStorage.removeItem(KEY); location.reload(); } }, "Oturumu kapat")));
  say(live, "");
  document.getElementById("mine-title").focus();
}

list();
