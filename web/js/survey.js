// The satisfaction survey form, used on its own page (from the SMS link) and inline on
// the tracking page once a case is concluded.
import { api, el, say, showErrors } from "./api.js";

export async function surveyBox(token, live) {
  const headers = { "X-Survey-Token": token };
  const box = el("section", { class: "card", id: "survey" }, el("h2", {}, "Memnuniyet anketi"));
  const s = await api("GET", "/v1/surveys", { headers });
  if (s.answered) {
    box.append(el("p", {}, "Bu başvuru için anketi cevapladınız. Teşekkür ederiz."));
    return box;
  }
  const stars = [1, 2, 3, 4, 5].map((n) => el("label", {}, el("input", { type: "radio", name: "rating", value: n }), ` ${n}`));
  const form = el("form", { novalidate: true, id: "survey-form" },
    el("p", {}, `${s.application_no} numaralı başvurunuzun sonucundan ne kadar memnun kaldınız? (1: hiç memnun değilim, 5: çok memnunum)`),
    el("fieldset", {}, el("legend", {}, "Puanınız"), el("div", { class: "stars" }, stars)),
    el("div", { class: "field" }, el("label", { for: "comment" }, "Yorumunuz ", el("span", { class: "hint" }, "İsteğe bağlı; kişisel bilgi yazmayınız")),
      el("textarea", { id: "comment", name: "comment", maxlength: 1000 })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Anketi gönder")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector("[name=rating]:checked");
    if (!picked) { showErrors(form, [{ field: "rating", message: "Lütfen 1 ile 5 arasında bir puan seçiniz." }], live); return; }
    const body = { rating: Number(picked.value) };
    if (form.comment.value.trim()) body.comment = form.comment.value.trim();
    try {
      await api("POST", "/v1/surveys", { body, headers });
      form.replaceWith(el("p", {}, "Teşekkür ederiz, cevabınız kaydedildi."));
      say(live, "Anket cevabınız kaydedildi.", "ok");
    } catch (err) { say(live, err.message, "err"); }
  });
  box.append(form);
  return box;
}
