// The citizen's photos and documents (up to 3): on a phone the picker offers the camera.
// The same presigned POST as the institutions' attachments; the server strips a photo's
// metadata (EXIF, GPS) before anyone else sees it.
import { api, ApiError, el, say } from "./api.js";

const TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", heic: "image/heic", heif: "image/heic", pdf: "application/pdf" };
const typeOf = (file) => (Object.values(TYPES).includes(file.type) ? file.type : TYPES[(file.name.split(".").pop() || "").toLowerCase()] || file.type || "application/octet-stream");

// `proof`: the headers that show the case is the citizen's (the access code, or her session)
export function photosBox(no, proof, view, live, onDone) {
  const files = view.attachments || [];
  const list = el("ul", { id: "my-files" }, files.map((f) => el("li", {}, el("a", { href: f.url, target: "_blank", rel: "noopener" }, f.filename))));
  const box = el("section", { class: "card", id: "photos" }, el("h2", {}, "Fotoğraf ve belgeler"),
    files.length ? list : el("p", {}, "Henüz dosya eklemediniz."));
  if (!view.can_attach) return box;
  const pick = el("input", { type: "file", id: "photo-file", name: "file", accept: "image/jpeg,image/png,image/heic,.heic,application/pdf" });
  const camera = el("input", { type: "file", id: "photo-camera", name: "camera", accept: "image/*", capture: "environment" });
  const share = el("input", { type: "checkbox", id: "photo-location" });
  const send = async (input) => {
    const file = input.files[0];
    if (!file) return;
    try {
      const start = await api("POST", `/v1/applications/${encodeURIComponent(no)}/attachments`, { headers: proof,
        body: { filename: file.name.slice(0, 200) || "foto.jpg", content_type: typeOf(file), size: file.size } });
      const data = new FormData();
      for (const [k, v] of Object.entries(start.upload.fields)) data.append(k, v);
      data.append("file", file);
      const res = await fetch(start.upload.url, { method: "POST", body: data });
      if (!res.ok) throw new ApiError(400, { error: { code: "upload_failed", message: `${file.name} yüklenemedi; dosya 10 MB'tan küçük olmalıdır.` } });
      const fresh = await api("POST", `/v1/applications/${encodeURIComponent(no)}/attachments/${start.attachment_id}`,
        { headers: proof, body: { share_location: share.checked } });
      say(live, "Dosyanız eklendi. Fotoğrafın konum ve cihaz bilgileri silindi.", "ok");
      onDone(fresh);
    } catch (e) { say(live, e.message, "err"); input.value = ""; }
  };
  pick.addEventListener("change", () => send(pick));
  camera.addEventListener("change", () => send(camera));
  box.append(
    el("p", { class: "hint" }, `En fazla 3 dosya (şu an ${files.length}): JPEG, PNG, HEIC fotoğraf ya da PDF, her biri en çok 10 MB. Fotoğrafın konum ve cihaz bilgileri (EXIF) kaydedilmeden önce silinir.`),
    el("div", { class: "field" }, el("label", { for: "photo-file" }, "Dosya seçin"), pick),
    el("div", { class: "field" }, el("label", { for: "photo-camera" }, "ya da fotoğraf çekin"), camera),
    el("label", { class: "check" }, share, " Fotoğrafın çekildiği yeri başvuruma konum olarak ekle (başvuruda konum yoksa)"));
  return box;
}
