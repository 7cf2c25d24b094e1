import { api, el, say, showErrors } from "./api.js";

const live = document.getElementById("live");
const box = document.getElementById("survey");
const token = new URLSearchParams(location.hash.slice(1)).get("t") || "";
const headers = { "X-Survey-Token": token };

async function start() {
  try {
    const s = await api("GET", "/v1/surveys", { headers });
    if (s.answered) { say(live, `${s.application_no} numaralı başvuru için anketi daha önce cevapladınız. Teşekkür ederiz.`, "ok"); return; }
    render(s);
  } catch (e) { say(live, e.message, "err"); }
}

function render(s) {
  const stars = [1, 2, 3, 4, 5].map((n) => el("label", {}, el("input", { type: "radio", name: "rating", value: n, required: true }), ` ${n}`));
  const form = el("form", { novalidate: true },
    el("p", {}, `${s.application_no} numaralı başvurunuzun sonucundan ne kadar memnun kaldınız? (1: hiç memnun değilim, 5: çok memnunum)`),
    el("fieldset", {}, el("legend", {}, "Puanınız"), el("div", { class: "stars" }, stars)),
    el("div", { class: "field" }, el("label", { for: "comment" }, "Yorumunuz ", el("span", { class: "hint" }, "İsteğe bağlı; kişisel bilgi yazmayınız")),
      el("textarea", { id: "comment", name: "comment", maxlength: 1000 })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Gönder")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector("[name=rating]:checked");
    if (!picked) { showErrors(form, [{ field: "rating", message: "Lütfen 1 ile 5 arasında bir puan seçiniz." }], live); return; }
    const body = { rating: Number(picked.value) };
    if (form.comment.value.trim()) body.comment = form.comment.value.trim();
    try { await api("POST", "/v1/surveys", { body, headers }); box.classList.add("hidden"); say(live, "Teşekkür ederiz, cevabınız kaydedildi.", "ok"); }
    catch (err) { say(live, err.message, "err"); }
  });
  box.replaceChildren(form);
  box.classList.remove("hidden");
}
start();
