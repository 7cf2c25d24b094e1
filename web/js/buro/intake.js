// Desk intake: an application taken face to face or by phone, and its printable receipt.
import { clearErrors, el, fmtDateTime, say, showErrors } from "../api.js";
import { applicationBody, clientChecks, loadCatalog, wirePickers } from "../catalog.js";
import { drawQr, dueText, receiptPdf, trackingAddress } from "../receipt.js";
import { isValidNationalId, normaliseMobile } from "../validate.js";
import { call, live, session, show } from "./session.js";

export async function renderIntake() {
  show("intake");
  const box = document.getElementById("view-intake");
  const f = el("form", { class: "card", id: "intake-form", novalidate: true });
  f.innerHTML = `<h2>Masadan başvuru kaydı</h2>
  <p class="hint">Yüz yüze ya da telefonla alınan başvurular. Başvuru sahibine aydınlatma metnini okuyunuz ya da veriniz.</p>
  <div class="grid2">
    <div class="field"><label for="i-channel">Kanal</label><select id="i-channel" name="channel"><option value="face_to_face">Yüz yüze</option><option value="phone">Telefon</option></select></div>
    <div class="field"><label for="i-received">Teslim alınma zamanı <span class="hint">Boşsa şimdi; en fazla 30 gün geriye</span></label><input type="datetime-local" id="i-received" name="received_at"></div>
    <div class="field"><label for="type">Başvuru türü</label><select id="type" name="type"></select></div>
    <div class="field"><label for="heading">Konu başlığı</label><select id="heading" name="heading"></select></div>
  </div>
  <div class="field"><label for="category">Alt konu</label><select id="category" name="category"></select></div>
  <div class="grid2">
    <div class="field"><label for="province">İl</label><select id="province" name="province"></select></div>
    <div class="field"><label for="district">İlçe</label><select id="district" name="district"></select></div>
  </div>
  <div class="grid2">
    <div class="field"><label for="i-neighbourhood">Mahalle ya da köy <span class="hint">İsteğe bağlı</span></label><select id="i-neighbourhood" name="place.neighbourhood"></select></div>
    <div class="field"><label for="i-street">Cadde, sokak ve numara <span class="hint">İsteğe bağlı</span></label><input type="text" id="i-street" name="place.street" maxlength="150"></div>
  </div>
  <div class="field"><label for="i-subject">Konu</label><input type="text" id="i-subject" name="subject" maxlength="150"></div>
  <div class="field"><label for="i-description">Açıklama</label><textarea id="i-description" name="description" maxlength="4000"></textarea></div>
  <div class="grid2">
    <div class="field"><label for="i-nid">T.C. Kimlik No / YKN</label><input type="text" id="i-nid" name="applicant.national_id" inputmode="numeric" maxlength="11" autocomplete="off"></div>
    <div class="field"><label for="i-phone">Cep telefonu</label><input type="tel" id="i-phone" name="applicant.phone"></div>
    <div class="field"><label for="i-first">Ad</label><input type="text" id="i-first" name="applicant.first_name"></div>
    <div class="field"><label for="i-last">Soyad</label><input type="text" id="i-last" name="applicant.last_name"></div>
  </div>
  <div class="field"><label for="i-email">E-posta <span class="hint">İsteğe bağlı</span></label><input type="email" id="i-email" name="applicant.email"></div>
  <div class="field"><label for="i-address">Adres</label><textarea id="i-address" name="applicant.address" class="short"></textarea></div>
  <div class="field" id="i-confidential-field" hidden><label class="check"><input type="checkbox" id="i-confidential" name="confidential_identity"> Başvuru sahibi kimliğinin kurumlardan gizli tutulmasını istiyor (yalnızca ihbar)</label></div>
  <div class="field" id="i-identity-field"><label class="check"><input type="checkbox" id="i-identity"> Başvuru sahibinin kimlik kartı görüldü (başvuru imzalı sayılır, 3071 md. 4)</label></div>
  <div class="field"><label class="check"><input type="checkbox" id="i-kvkk" name="kvkk_acknowledged"> Kişisel verilerin işlenmesine ilişkin aydınlatma metni başvuru sahibine okundu ya da verildi</label></div>
  <input type="hidden" name="location">
  <div class="actions"><button type="submit">Kaydet ve alındı belgesi ver</button></div>`;
  box.replaceChildren(f, el("section", { id: "intake-receipt", class: "card hidden", tabindex: "-1" }));
  await wirePickers(f);
  f.querySelector("#type").addEventListener("change", (e) => {
    f.querySelector("#i-confidential-field").hidden = e.target.value !== "ihbar";
    if (e.target.value !== "ihbar") f.querySelector("#i-confidential").checked = false;
  });
  f.querySelector("#i-channel").addEventListener("change", (e) => {   // a card is seen only face to face
    f.querySelector("#i-identity-field").hidden = e.target.value !== "face_to_face";
    if (e.target.value !== "face_to_face") f.querySelector("#i-identity").checked = false;
  });
  const cat = await loadCatalog();
  if (session.user.district) {
    f.querySelector("#province").value = session.user.district.split("-")[0];
    f.querySelector("#province").dispatchEvent(new Event("change"));
    f.querySelector("#district").value = session.user.district;
    f.querySelector("#district").dispatchEvent(new Event("change"));
  }
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(f);
    const body = { ...applicationBody(f), channel: f.channel.value };
    if (f.channel.value === "face_to_face" && f.querySelector("#i-identity").checked) body.identity_seen = true;
    if (f.received_at.value) body.received_at = `${f.received_at.value}:00+03:00`;
    const errors = clientChecks(f, body, isValidNationalId, normaliseMobile);
    if (!body.kvkk_acknowledged) errors.push({ field: "kvkk_acknowledged", message: "Aydınlatma metninin başvuru sahibine verildiğini işaretleyiniz." });
    if (errors.length) { showErrors(f, errors, live); return; }
    try {
      const r = await call("POST", "/v1/staff/intake", body);
      const out = document.getElementById("intake-receipt");
      // the same receipt as the citizen's own (web/js/receipt.js): office, number, time,
      // subject, the legal due date with its law, the tracking address, what happens next,
      // and what verifies it; the clerk's instruction is for the screen only
      const qr = el("img", { id: "intake-qr", alt: "Makbuzu doğrulama karekodu", width: "164", height: "164", hidden: true });
      const v = r.verification;
      out.replaceChildren(el("h2", {}, "Açık Kapı başvuru alındı belgesi"),
        el("p", { class: "notice no-print", id: "intake-instruction" }, "Erişim kodunu başvuru sahibine şimdi veriniz; tekrar gösterilmez."),
        el("dl", { class: "facts" },
          el("dt", {}, "Başvuruyu alan büro"), el("dd", { id: "intake-office" }, r.office ? r.office.name : ""),
          el("dt", {}, "Başvuru numarası"), el("dd", { class: "big-code", id: "intake-no" }, r.application_no),
          el("dt", {}, "Erişim kodu"), el("dd", { class: "big-code", id: "intake-code" }, r.access_code),
          el("dt", {}, "Teslim alınma"), el("dd", {}, fmtDateTime(r.received_at)),
          el("dt", {}, "Konu"), el("dd", { id: "intake-subject" }, body.subject),
          el("dt", {}, "Yasal süre"), el("dd", { id: "intake-due" }, dueText(r)),
          el("dt", {}, "İzleme adresi"), el("dd", { id: "intake-track" }, trackingAddress(r))),
        el("h3", {}, "Bundan sonra ne olacak?"),
        el("ol", { class: "next-steps" },
          el("li", {}, "Başvuru numaranız cep telefonunuza SMS ile gönderilir."),
          el("li", {}, "Başvurunuz incelenir ve konusuyla ilgili kuruma iletilir; her adımda SMS alırsınız."),
          el("li", {}, "Başvurunuzu izleme adresinden numaranız ve erişim kodunuzla izleyebilirsiniz.")),
        v ? el("div", { class: "verify-box" }, qr, el("p", {}, "Doğrulama kodu", el("br"), el("strong", { class: "big-code code", id: "intake-short" }, v.short_code),
          el("br"), el("span", { class: "hint" }, "Bu belge dogrula.html sayfasında karekodla ya da numara ve doğrulama koduyla doğrulanabilir."))) : null,
        el("div", { class: "actions" }, el("button", { type: "button", id: "intake-print", onclick: () => {
          document.body.classList.add("print-receipt");
          window.print();
          document.body.classList.remove("print-receipt");
        } }, "Alındı belgesini yazdır"), " ",
          el("button", { type: "button", class: "secondary", id: "intake-pdf", onclick: async () => {
            try { await receiptPdf(r); say(live, "Alındı belgesi (PDF) indirildi.", "ok"); } catch (e) { say(live, e.message, "err"); }
          } }, "PDF olarak indir")));
      drawQr(qr, v);
      clearErrors(f);
      say(live, "");                  // no stale "düzeltme gerekiyor" on the receipt
      f.classList.add("hidden");
      out.classList.remove("hidden");
      out.focus();
    } catch (err) { if (err.errors.length) showErrors(f, err.errors, live); say(live, err.message, "err"); }
  });
  void cat;
}
