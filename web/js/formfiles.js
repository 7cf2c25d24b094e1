// Photos and documents chosen inside the application form (camera or gallery): shown as
// thumbnails with a remove button, kept in IndexedDB with the draft (a reload or an
// application queued offline keeps them), and uploaded with the receipt's access code once
// the application is received, so the citizen never types the code to add them.
import { api, ApiError, el, say } from "./api.js";
import { idbGet, idbSet } from "./outbox.js";

export const MAX_FILES = 3;                 // the server's limit (domain/attachments.MAX_CITIZEN_FILES)
const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = ["image/jpeg", "image/png", "image/heic", "application/pdf"];

const typeOf = (f) => f.type || (/\.heic$/i.test(f.name) ? "image/heic" : "");

export async function storedFiles() {
  try { return (await idbGet("files")) || []; } catch { return []; }
}

async function store(files) {
  try { await idbSet("files", files.length ? files : null); } catch { /* no IndexedDB: kept for this page only */ }
}

export function clearFiles() { return store([]); }

// Wires the two inputs and the list (once); `live` says what went wrong (too many, too big,
// a type). Returns {reset} for "Taslağı sil".
let wired = null;
export async function wireFormFiles(live) {
  if (wired) return wired;
  const list = document.getElementById("form-photos");
  let files = await storedFiles();
  const draw = () => {
    list.replaceChildren(...files.map((f, i) => {
      const url = URL.createObjectURL(f.blob);
      return el("li", {},
        f.type.startsWith("image/") && f.type !== "image/heic"
          ? el("img", { src: url, alt: `Eklenecek fotoğraf ${i + 1}: ${f.name}`, width: "160", height: "120" })
          : el("span", { class: "file-icon", "aria-hidden": "true" }, f.type === "application/pdf" ? "PDF" : "Dosya"),
        el("span", {}, f.name),
        el("button", { type: "button", class: "secondary", "aria-label": `${f.name} dosyasını kaldır`,
          onclick: async () => { files.splice(i, 1); await store(files); draw(); say(live, `${f.name} kaldırıldı.`, "ok"); document.getElementById("form-photo-file").focus(); } },
        "Kaldır"));
    }));
  };
  const add = async (input) => {
    for (const file of input.files) {
      const type = typeOf(file);
      if (files.length >= MAX_FILES) { say(live, `En fazla ${MAX_FILES} dosya ekleyebilirsiniz; ${file.name} eklenmedi.`, "err"); break; }
      if (!TYPES.includes(type)) { say(live, `${file.name}: yalnızca JPEG, PNG, HEIC fotoğraf ya da PDF eklenebilir.`, "err"); continue; }
      if (file.size > MAX_BYTES) { say(live, `${file.name} 10 MB'tan büyük; daha küçük bir dosya seçiniz.`, "err"); continue; }
      files.push({ name: file.name.slice(0, 200) || "foto.jpg", type, blob: file });
    }
    input.value = "";
    await store(files);
    draw();
  };
  document.getElementById("form-photo-camera").addEventListener("change", (e) => add(e.target));
  document.getElementById("form-photo-file").addEventListener("change", (e) => add(e.target));
  draw();
  wired = { reset: async () => { files = []; await store(files); draw(); } };
  return wired;
}

// Uploads the kept files to the received application with its access code; what happened,
// for the receipt. A file that fails can be added later from the tracking page.
export async function uploadFormFiles(receipt) {
  const files = await storedFiles();
  await clearFiles();                    // taken: another page's receipt finds none to send again
  const proof = { "X-Access-Code": receipt.access_code };
  const no = encodeURIComponent(receipt.application_no);
  const done = [];
  const failed = [];
  for (const f of files) {
    try {
      const start = await api("POST", `/v1/applications/${no}/attachments`, { headers: proof,
        body: { filename: f.name, content_type: f.type, size: f.blob.size } });
      const data = new FormData();
      for (const [k, v] of Object.entries(start.upload.fields)) data.append(k, v);
      data.append("file", f.blob, f.name);
      const res = await fetch(start.upload.url, { method: "POST", body: data });
      if (!res.ok) throw new ApiError(400, { error: { code: "upload_failed", message: "yüklenemedi" } });
      await api("POST", `/v1/applications/${no}/attachments/${start.attachment_id}`, { headers: proof, body: { share_location: false } });
      done.push(f.name);
    } catch { failed.push(f.name); }
  }
  return { done, failed };
}
