// The office console's session: the ID token (sessionStorage, this tab only), the
// authorised API call, sign-in and sign-out, and switching between the views.
import { api, ApiError, clearErrors, say, showErrors } from "../api.js";

export const live = document.getElementById("live");
const loginForm = document.getElementById("login");
const challengeForm = document.getElementById("challenge");
const consoleBox = document.getElementById("console");
const views = ["queue", "case", "intake", "dashboard", "admin", "partners", "kvkk"];
export let session = JSON.parse(sessionStorage.getItem("acikkapi.session") || "null");

// The views register themselves here, so that one can open another without importing it.
export const screens = {};
export const go = (view, ...args) => screens[view](...args);

const auth = () => ({ Authorization: `Bearer ${session.id_token}` });
export async function call(method, path, body, extra) {
  try { return await api(method, path, { body, headers: { ...auth(), ...(extra || {}) } }); }
  catch (e) {
    if (e instanceof ApiError && (e.status === 401 || (e.status === 403 && e.code === "forbidden" && !e.body?.error))) {
      logout("Oturumunuzun süresi doldu; lütfen yeniden giriş yapınız.");
    }
    throw e;
  }
}

// A file the API answers (CSV): fetched with the session, saved through a blob link; a
// large export comes back as JSON with a short-lived download link instead.
export async function download(path) {
  const { API_BASE } = await import("../api.js");
  let res;
  try { res = await fetch(API_BASE + path, { headers: auth() }); }
  catch { throw new ApiError(0, { error: { code: "network", message: "Sunucuya ulaşılamadı. İnternet bağlantınızı kontrol ediniz." } }); }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch { data = null; }
    if (res.status === 401) logout("Oturumunuzun süresi doldu; lütfen yeniden giriş yapınız.");
    throw new ApiError(res.status, data);
  }
  const type = res.headers.get("Content-Type") || "";
  if (type.startsWith("application/json")) {
    const data = await res.json();
    return { url: data.download_url, filename: data.filename, rows: data.rows };
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
  return { url: URL.createObjectURL(await res.blob()), filename: name ? name[1] : "disa-aktarim.csv",
    rows: Number(res.headers.get("X-Export-Rows") || 0) };
}

export function show(view) {
  for (const v of views) document.getElementById(`view-${v}`).classList.toggle("hidden", v !== view);
  say(live, "");
}

export function logout(message) {
  session = null;
  sessionStorage.removeItem("acikkapi.session");
  consoleBox.classList.add("hidden");
  challengeForm.classList.add("hidden");
  // nothing of the previous user's screens stays in the page for the next one
  for (const v of views) document.getElementById(`view-${v}`).replaceChildren();
  loginForm.classList.remove("hidden");
  say(live, message || "", message ? "err" : "");
}

const ROLE = { desk: "Büro personeli", supervisor: "Büro sorumlusu", province: "İl yöneticisi", admin: "Yönetici" };

export async function start() {
  loginForm.classList.add("hidden");
  consoleBox.classList.remove("hidden");
  const u = session.user;
  document.getElementById("who").textContent = `${u.username} · ${ROLE[u.role]}${u.district ? " · " + u.district : u.province ? " · " + u.province : ""}`;
  import("../catalog.js").then(({ loadCatalog }) => loadCatalog()).then((cat) => {     // the office's name, not its code
    const p = cat.provinces.find((x) => x.code === (u.province || (u.district || "").split("-")[0]));
    const o = p && (p.offices || []).find((x) => x.code === u.district);
    const place = o ? o.name : p ? `${p.name} (il geneli)` : u.role === "admin" ? "Ulusal kuyruk" : "";
    if (place) document.getElementById("who").textContent = `${u.username} · ${ROLE[u.role]} · ${place}`;
  }).catch(() => {});
  document.getElementById("nav-intake").hidden = !["desk", "supervisor"].includes(u.role);
  const admin = u.role === "admin";
  document.getElementById("nav-partners").hidden = !admin;
  document.getElementById("nav-admin").hidden = !["supervisor", "province", "admin"].includes(u.role);
  document.getElementById("nav-kvkk").hidden = u.role !== "supervisor";
  document.querySelector('[data-view="queue"]').hidden = admin;    // an admin reads no cases
  document.getElementById("nav-dashboard").hidden = admin;
  await go(admin ? "partners" : "queue");
}

// The steps of a sign-in after the password: a new password (an invited member's first
// sign-in), setting up the authenticator app (its QR code and secret), and its code.
const STEPS = {
  new_password: { title: "Yeni parola belirleyin", button: "Parolayı kaydet",
    hint: "İlk girişiniz: size gönderilen geçici parolanın yerine kendi parolanızı belirleyiniz." },
  mfa_setup: { title: "Doğrulama uygulamasını kurun", button: "Doğrula",
    hint: "Telefonunuzdaki doğrulama uygulamasıyla (Google Authenticator, Microsoft Authenticator vb.) QR kodu okutunuz, sonra uygulamanın gösterdiği kodu yazınız. Bundan sonra her girişte bu kod istenir." },
  mfa_code: { title: "İki adımlı doğrulama", button: "Doğrula",
    hint: "Doğrulama uygulamanızın gösterdiği 6 haneli kodu yazınız." },
};
let pending = null;     // {username, challenge, session}

function signedIn(result) {
  session = result;
  sessionStorage.setItem("acikkapi.session", JSON.stringify(session));
  pending = null;
  loginForm.reset();
  challengeForm.reset();
  challengeForm.classList.add("hidden");
  start();
}

function ask(username, step) {
  const s = STEPS[step.challenge];
  pending = { username, challenge: step.challenge, session: step.session };
  loginForm.classList.add("hidden");
  challengeForm.classList.remove("hidden");
  challengeForm.reset();
  clearErrors(challengeForm);
  document.getElementById("challenge-title").textContent = s.title;
  document.getElementById("challenge-hint").textContent = s.hint;
  document.getElementById("challenge-submit").textContent = s.button;
  document.getElementById("f-new_password").classList.toggle("hidden", step.challenge !== "new_password");
  document.getElementById("f-code").classList.toggle("hidden", step.challenge === "new_password");
  document.getElementById("mfa-setup").classList.toggle("hidden", step.challenge !== "mfa_setup");
  if (step.challenge === "mfa_setup") {
    document.getElementById("mfa-qr").src = step.qr;
    document.getElementById("mfa-secret").textContent = step.secret;
  }
  (step.challenge === "new_password" ? challengeForm.new_password : challengeForm.code).focus();
}

function next(username, result) {
  if (result.challenge) ask(username, result); else signedIn(result);
}

export function wireSignIn() {
  loginForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(loginForm);
    const username = loginForm.username.value.trim();
    try {
      next(username, await api("POST", "/v1/staff/session", { body: { username, password: loginForm.password.value } }));
    } catch (err) {
      if (err.errors.length && err.errors[0].field) showErrors(loginForm, err.errors, live);
      say(live, err.message, "err");
    }
  });
  challengeForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(challengeForm);
    const body = { username: pending.username, session: pending.session, challenge: pending.challenge };
    if (pending.challenge === "new_password") body.new_password = challengeForm.new_password.value;
    else body.code = challengeForm.code.value.trim();
    try {
      next(pending.username, await api("POST", "/v1/staff/session/challenge", { body }));
    } catch (err) {
      if (err.errors.length && err.errors[0].field) showErrors(challengeForm, err.errors, live);
      say(live, err.message, "err");
      if (err.status === 401 && err.code === "invalid_session") cancel();
    }
  });
  const cancel = () => {
    pending = null;
    challengeForm.reset();
    challengeForm.classList.add("hidden");
    loginForm.classList.remove("hidden");
  };
  document.getElementById("challenge-cancel").addEventListener("click", cancel);
  document.getElementById("logout").addEventListener("click", () => logout());
  if (session) start().catch(() => logout()); else loginForm.classList.remove("hidden");
}
