// The satisfaction survey form, used on its own page (from the SMS link) and inline on
// the tracking page once a case is concluded.
import { api, el, say, showErrors } from "./api.js";

const RATINGS = [[1, "Hiç memnun değilim"], [2, "Memnun değilim"], [3, "Kararsızım"], [4, "Memnunum"],
  [5, "Çok memnunum"]];

export async function surveyBox(token, live) {
  const headers = { "X-Survey-Token": token };
  const box = el("section", { class: "card", id: "survey" }, el("h2", {}, "Memnuniyet anketi"));
  const s = await api("GET", "/v1/surveys", { headers });
  if (s.answered) {
    box.append(el("p", {}, "Bu başvuru için anketi cevapladınız. Teşekkür ederiz."));
    return box;
  }
  const stars = RATINGS.map(([n, text]) => el("label", { class: "check" },
    el("input", { type: "radio", name: "rating", value: n }), ` ${n} — ${text}`));
  const form = el("form", { novalidate: true, id: "survey-form" },
    el("fieldset", { id: "rating-fieldset" },
      el("legend", {}, `${s.application_no} numaralı başvurunuzun sonucundan ne kadar memnun kaldınız?`),
      el("div", { class: "stars field" }, stars)),
    el("div", { class: "field" }, el("label", { for: "comment" }, "Yorumunuz ", el("span", { class: "hint" }, "İsteğe bağlı; kişisel bilgi yazmayınız")),
      el("textarea", { id: "comment", name: "comment", maxlength: 1000 })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Anketi gönder")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector("[name=rating]:checked");
    if (!picked) {   // the error belongs to the whole question, after its legend, not inside one option
      form.querySelectorAll(".field-error").forEach((n) => n.remove());
      const msg = el("p", { class: "field-error", id: "err-rating" }, "Memnuniyetinizi 1 ile 5 arasında bir seçenekle belirtiniz.");
      form.querySelector("#rating-fieldset legend").after(msg);
      form.querySelector("#rating-fieldset").setAttribute("aria-describedby", "err-rating");
      form.querySelector("[name=rating]").focus();
      say(live, msg.textContent, "err");
      return;
    }
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
