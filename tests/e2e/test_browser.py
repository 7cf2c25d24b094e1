"""The web client in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright) against the real local stack. Screenshots of every step go to
test-artifacts/ (ignored by git)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.helpers import call, has_inst_link, inst_link, outbox_for, own_phone, staff_headers, track, wait_for

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(pg, name):
    text = pg.inner_text("body")
    assert "undefined" not in text and not re.search(r"\bnull\b", text), f"{name}: stray null/undefined"
    assert "[object " not in text, f"{name}: an object printed as text"
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name}: wider than the screen"
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(stack, pg, username):
    """The office console, signed in as a demo user."""
    pg.goto(f"{stack.web}/buro.html")
    pg.get_by_label("Kullanıcı adı").fill(username)
    pg.get_by_label("Parola", exact=True).fill("AcikKapi-Demo-2026")
    pg.get_by_role("button", name="Giriş yap").click()
    pg.get_by_label("Doğrulama kodu").fill(stack.totp())        # the authenticator app's code
    pg.get_by_role("button", name="Doğrula").click()


def open_task(pg, form_id):
    """The case page's actions are a task list: opens the one named unless it is open."""
    pg.wait_for_selector(f"#task-{form_id}", state="attached")
    if not pg.is_visible(f"#{form_id}"):
        pg.click(f"#task-{form_id} > summary")
    pg.wait_for_selector(f"#{form_id}")


def fill_application(pg, *, district=("06", "06-cankaya"), description=None):
    pg.get_by_label("Aydınlatma metnini okudum").check()
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    pg.get_by_label("Başvuru türü").select_option("sikayet")
    pg.get_by_label("Konu başlığı").select_option("yerel_yonetimler")
    pg.get_by_label("Alt konu").select_option("yol_kaldirim")
    pg.get_by_label("İl", exact=True).select_option(district[0])
    pg.get_by_label("İlçe", exact=True).select_option(district[1])
    pg.get_by_label("Konu", exact=False).first  # noqa: B018 - labels resolved below by id
    pg.fill("#subject", "Kaldırım çökmüş")
    pg.fill("#description", description or "Atatürk Bulvarı üzerinde kaldırım çöktü, yayalar yola iniyor.")
    pg.fill("#national_id", "10000000146")
    pg.fill("#phone", "0532 123 45 67")
    pg.fill("#first_name", "Ayşe")
    pg.fill("#last_name", "Yılmaz")
    pg.fill("#address", "Atatürk Bulvarı No:10 Çankaya / Ankara")


def test_the_whole_journey_in_the_browser(stack, page):
    pg = page
    # 1. a citizen submits
    pg.goto(f"{stack.web}/basvuru.html")
    shot(pg, "01-kvkk")
    fill_application(pg)
    shot(pg, "02-form")
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#receipt:not(.hidden)")
    no = pg.inner_text("#r-no").strip()
    code = pg.inner_text("#r-code").strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}", no) and len(code) == 11
    assert "Erişim kodunuzu şimdi not alın" in pg.inner_text("#receipt")
    shot(pg, "03-receipt")

    # 2. a clerk signs in and forwards
    sign_in(stack, pg, "masa.cankaya")
    pg.get_by_role("link", name=no).wait_for()
    shot(pg, "04-queue")
    pg.get_by_role("link", name=no).click()
    open_task(pg, "forward-form")
    assert pg.inner_text("#nid") == "100******46"
    pg.get_by_label("Çankaya Belediye Başkanlığı").check()
    pg.get_by_role("button", name="Yönlendir").click()
    wait_for(lambda: pg.inner_text("#case-status") == "Kuruma iletildi")
    shot(pg, "05-forwarded")

    # 3. the institution opens the link from the dev outbox and answers
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    link = inst_link(mails)
    assert link.startswith(stack.web)
    inst = pg.context.new_page()
    inst.goto(link)
    inst.wait_for_selector("#answer-form")
    assert "Ayşe Yılmaz" in inst.inner_text("#case") and "10000000146" not in inst.content()
    inst.get_by_label("Önerilen sonuç").select_option("positive")
    inst.get_by_label("Cevap metni").fill("Kaldırım onarımı için ekip yönlendirildi, 3 gün içinde tamamlanacak.")
    inst.get_by_label("Cevaplayanın adı soyadı").fill("Mehmet Demir")
    inst.get_by_label("Unvanı").fill("Fen İşleri Müdürü")
    shot(inst, "06-institution")
    inst.get_by_role("button", name="Cevabı gönder").click()
    wait_for(lambda: inst.inner_text("#assignment-status") == "Cevaplandı")
    assert "yalnızca okunabilir" in inst.inner_text("#case")
    assert inst.evaluate("document.activeElement.id") == "case-heading"   # issue 41: not dropped to <body>
    shot(inst, "07-institution-answered")
    inst.close()

    # 4. the clerk concludes
    pg.get_by_role("button", name="← Kuyruğa dön").click()
    pg.get_by_role("link", name=no).click()
    open_task(pg, "conclude-form")
    pg.select_option("#conclude-outcome", "positive")
    final = "Kaldırım onarımı Çankaya Belediyesince 3 gün içinde tamamlanacaktır; bilgilerinize sunulur."
    pg.fill("#conclude-answer", final)
    pg.get_by_role("button", name="Sonuçlandır").click()
    wait_for(lambda: pg.inner_text("#case-status") == "Sonuçlandı")
    shot(pg, "08-concluded")
    pg.get_by_role("button", name="Gösterge paneli").click()
    chart = pg.wait_for_selector("#view-dashboard svg[role=img]")
    assert chart.eval_on_selector_all("rect", "r => r.length") == 12
    assert "Zamanında sonuçlanan" in pg.inner_text("#view-dashboard")
    shot(pg, "08b-dashboard")

    # 5. the citizen tracks the case and sees the answer
    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.get_by_label("Erişim kodu").fill(code)
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#final-answer")
    assert pg.inner_text("#final-answer") == final
    assert pg.inner_text("#status") == "Sonuçlandı"
    # a date, named as one, without a leading zero (issue 41: "Yasal cevap süresi: 05 Ocak 2027")
    due = pg.locator("dt", has_text="Yasal son gün").locator("xpath=following-sibling::dd[1]").inner_text()
    assert re.fullmatch(r"[1-9]\d? \w+ \d{4}", due), due
    assert pg.get_by_role("heading", name="Sonuca itiraz").is_visible()
    pg.wait_for_selector("#survey-form")
    shot(pg, "09-tracked")
    pg.get_by_role("button", name="Anketi gönder").click()          # nothing picked: told at the question
    assert "1 ile 5 arasında" in pg.inner_text("#err-rating")
    pg.get_by_label("5 — Çok memnunum").check()
    pg.get_by_role("button", name="Anketi gönder").click()
    wait_for(lambda: "Teşekkür ederiz" in pg.inner_text("#survey"))
    pg.get_by_label("İtiraz gerekçeniz").fill("Kaldırım hâlâ onarılmadı, itiraz ediyorum.")
    pg.get_by_role("button", name="İtiraz et").click()
    assert "geri alınamaz" in pg.inner_text("#objection-confirm")   # irreversible: asked once more
    assert pg.inner_text("#status") == "Sonuçlandı"
    pg.get_by_role("button", name="Evet, itiraz et").click()
    wait_for(lambda: pg.inner_text("#status") == "Değerlendiriliyor")
    assert pg.inner_text("#final-answer") == final                   # the answer objected to stays readable
    assert "yeniden değerlendiriliyor" in pg.inner_text("#view-final-heading")
    shot(pg, "09b-objected")


def test_the_form_shows_every_problem_at_once_in_an_error_summary(stack, page):
    pg = page
    pg.goto(f"{stack.web}/basvuru.html")
    pg.get_by_role("button", name="Devam et").click()                # never disabled: it says why
    assert "aydınlatma metnini okuduğunuzu işaretleyiniz" in pg.inner_text("#kvkk-step .error-summary")
    assert pg.title().startswith("Hata: ")
    pg.get_by_label("Aydınlatma metnini okudum").check()
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    assert not pg.title().startswith("Hata: ")
    pg.get_by_role("button", name="Başvuruyu gönder").click()        # nothing filled in: one round
    summary = pg.wait_for_selector("#form .error-summary")
    assert pg.evaluate("document.activeElement.classList.contains('error-summary')")
    links = pg.locator("#form .error-summary a")
    assert links.count() >= 10 and pg.title().startswith("Hata: ")
    assert "Adresinizi giriniz." in summary.inner_text() and "geçersiz" not in summary.inner_text()
    pg.locator("#form .error-summary a", has_text="Adresinizi giriniz.").click()
    assert pg.evaluate("document.activeElement.id") == "address"
    shot(pg, "10-error-summary")

    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg, description="Kısa")
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    error = pg.wait_for_selector("#err-description")
    assert error.inner_text() == "Açıklamayı en az 10 karakterle yazınız."
    assert pg.get_attribute("#description", "aria-invalid") == "true"
    assert "Açıklamayı en az 10 karakterle" in pg.inner_text("#live")
    pg.fill("#national_id", "12345678901")
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    assert "T.C. Kimlik No / YKN geçersiz" in pg.inner_text("#err-applicant-national-id")
    pg.fill("#description", "Atatürk Bulvarı üzerinde kaldırım çöktü, yayalar yola iniyor.")
    pg.fill("#national_id", "10000000146")
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#receipt:not(.hidden)")
    assert not pg.title().startswith("Hata: ")


@pytest.mark.parametrize("path", ["index.html", "basvuru.html", "izle.html", "buro.html", "basvurularim.html"])
def test_pages_fit_a_360_px_screen(stack, browser, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/{path}")
    if path == "basvuru.html":
        pg.get_by_label("Aydınlatma metnini okudum").check()
        pg.get_by_role("button", name="Devam et").click()
        pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    # issue 41: the header and its menu took a quarter of the screen; one brand line and one row now
    assert pg.evaluate("document.querySelector('header.site').getBoundingClientRect().height") <= 120
    assert pg.get_attribute("html", "lang") == "tr"
    unlabelled = pg.evaluate("""[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.id || e.name)""")
    assert unlabelled == []
    shot(pg, f"11-360-{path.replace('.html', '')}")
    context.close()


def test_keyboard_alone_reaches_the_form(stack, page):
    pg = page
    pg.goto(f"{stack.web}/basvuru.html")
    for _ in range(12):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.id") == "kvkk-ack":
            break
    assert pg.evaluate("document.activeElement.id") == "kvkk-ack"
    pg.keyboard.press("Space")
    pg.keyboard.press("Tab")
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#form:not(.hidden)")
    # after the catalogue; polled from here: Playwright's wait_for_function evaluates a string
    # in the page, which the pages' CSP (no 'unsafe-eval') refuses once it has to poll
    wait_for(lambda: pg.evaluate("document.activeElement && document.activeElement.id === 'type'"))
    outline = pg.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert pg.evaluate("document.activeElement.id") == "type" and outline != "none"


def test_the_desk_ticks_the_notice_and_records_an_ihbars_confidentiality(stack, page):
    pg = page
    sign_in(stack, pg, "masa.cankaya")
    pg.get_by_role("button", name="Masadan başvuru").click()
    pg.wait_for_selector("#intake-form #type option[value=ihbar]", state="attached")
    assert not pg.is_visible("#i-confidential-field")
    pg.select_option("#intake-form #type", "ihbar")
    assert pg.is_visible("#i-confidential-field")
    pg.select_option("#intake-form #heading", "yerel_yonetimler")
    pg.select_option("#intake-form #category", "yol_kaldirim")
    pg.fill("#i-subject", "Kaçak yapı ihbarı")
    pg.fill("#i-description", "Parkın yanındaki boş arsaya gece kaçak yapı yapılıyor, ihbar ediyorum.")
    pg.fill("#i-nid", "10000000146")
    pg.fill("#i-phone", "0532 123 45 67")
    pg.fill("#i-first", "Ayşe")
    pg.fill("#i-last", "Yılmaz")
    pg.fill("#i-address", "Atatürk Bulvarı No:10 Çankaya / Ankara")
    pg.get_by_label("Başvuru sahibi kimliğinin kurumlardan gizli tutulmasını istiyor").check()
    pg.get_by_role("button", name="Kaydet ve alındı belgesi ver").click()
    error = pg.wait_for_selector("#err-kvkk-acknowledged")      # the clerk has not ticked the notice
    assert "Aydınlatma metninin" in error.inner_text()
    pg.get_by_label("aydınlatma metni başvuru sahibine okundu ya da verildi").check()
    pg.get_by_role("button", name="Kaydet ve alındı belgesi ver").click()
    pg.wait_for_selector("#intake-receipt:not(.hidden)")
    no = pg.inner_text("#intake-receipt .big-code >> nth=0").strip()
    # issue 41 item 5: the citizen's receipt at the desk too, and no stale error on it
    assert pg.inner_text("#intake-office") and pg.inner_text("#intake-subject") == "Kaçak yapı ihbarı"
    assert "3071 sayılı Kanun" in pg.inner_text("#intake-due")
    assert pg.inner_text("#intake-track").endswith(f"izle.html#no={no}")
    assert "düzeltme" not in pg.inner_text("#live") and pg.locator("#intake-form .error-summary").count() == 0
    pg.wait_for_selector("#intake-qr:not([hidden])")
    short = pg.inner_text("#intake-short").strip()
    pg.emulate_media(media="print")
    assert not pg.is_visible("#intake-instruction") and not pg.is_visible("#intake-print")
    pg.emulate_media(media="screen")
    shot(pg, "12-desk-ihbar")
    assert call("POST", f"{stack.api}/v1/receipts/verify", {"application_no": no, "short_code": short})[1]["valid"]
    pg.get_by_role("button", name="İş kuyruğu").click()
    pg.get_by_role("link", name=no).click()
    pg.wait_for_selector("#case-confidential")
    assert "Kimlik kurumlardan gizli" in pg.inner_text("#case-confidential")
    pg.locator("summary", has_text="Sınıflandırma").click()
    assert pg.is_visible("#triage-form") and "geri alınamaz" in pg.inner_text("#triage-form")
    shot(pg, "13-case-confidential")


def test_a_crime_report_is_sent_to_the_prosecutor_from_the_console(stack, page):
    """CMK art. 158/2 from the clerk's side: the case page offers "Yetkili mercie gönder",
    asks once more, closes the case as sent, and names the authority; the citizen reads
    where it went and on which ground; the prosecutor's link arrives."""
    pg = page
    no, receipt = _staff_opens_new_case(stack, pg, {"type": "ihbar", "confidential_identity": True,
                                                    "subject": "Kaçak akaryakıt satışı"}, with_receipt=True)
    assert "Doğrulanmadı" in pg.inner_text("#case-identity")     # an online application: identity not verified
    open_task(pg, "refer-form")
    pg.select_option("#refer-ground", "crime_report")
    pg.select_option("#refer-institution_id", "06-cankaya.savcilik")
    pg.fill("#refer-explanation", "Başvurudaki iddialar suç duyurusu niteliğindedir.")
    pg.get_by_role("button", name="Gönder ve başvuru sahibine bildir").click()
    assert pg.is_visible("#refer-confirm") and pg.inner_text("#case-status") == "İnceleniyor"
    pg.click("#refer-confirm-yes")
    wait_for(lambda: pg.inner_text("#case-status") == "Sonuçlandı")
    assert "Ankara Cumhuriyet Başsavcılığı" in pg.inner_text("#case-referral")
    assert "158/2" in pg.inner_text("#case-referral")
    shot(pg, "15-referred-to-the-prosecutor")
    mails = wait_for(lambda: [m for m in outbox_for(stack, no)[1] if m["to"] == ["acikkapi@ankara-cbs.example"]])
    assert has_inst_link(mails)
    wait_for(lambda: any("Ankara Cumhuriyet Başsavcılığı" in (h["note"] or "") for h in track(stack, receipt)["history"]))


def test_a_refused_information_request_shows_its_remedies_and_the_objection_says_the_board_period_runs(stack, page):
    """4982 art. 12-13 on the citizen's page: the refusal states the Board and the court
    with their periods, and the office objection says it does not stop the 15 days."""
    from tests.conftest import VALID_APPLICATION
    from tests.e2e.test_office_journey import sign_in as staff_token
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                              dict(VALID_APPLICATION, type="bilgi_edinme", category="okul_kayit",
                                   subject="Okul kayıt sayıları"))
    assert status == 201, receipt
    no = receipt["application_no"]
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    token = {"X-Link-Token": inst_link(mails).split("#t=", 1)[1]}
    assert call("POST", f"{stack.api}/v1/institution/answer", {"text": "İstenen bilgi ticari sır niteliğindedir.",
                "outcome": "negative", "responder_name": "Mehmet Demir", "responder_title": "Müdür"}, token)[0] == 200
    desk = staff_token(stack, "masa.maltepe")
    case = wait_for(lambda: (c := call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1])["status"]
                    == "institution_answered" and c)
    assert call("POST", f"{stack.api}/v1/staff/cases/{no}/conclude",
                {"outcome": "negative", "answer": "İstenen bilgi ticari sır niteliğinde olduğundan verilememektedir.",
                 "version": case["version"]}, desk)[0] == 200
    pg = page
    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.fill("#code", receipt["access_code"])
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#final-answer")
    text = pg.inner_text("body")
    assert "Bilgi Edinme Değerlendirme Kuruluna" in text and "15 gün" in text and "idare mahkemesinde" in text
    objection = pg.inner_text("#objection-form") if pg.is_visible("#objection-form") else text
    assert "durdurmaz" in objection and "4982" in objection
    shot(pg, "16-information-refused")
    # issue 41 item 8: the institution's link is closed now, but its clerk still sees the answer sent
    pg.goto(inst_link(mails))
    pg.wait_for_selector("#own-answers")
    assert "ticari sır" in pg.inner_text("#own-answers") and "Mehmet Demir" in pg.inner_text("#own-answers")
    assert "saklanmaktadır" not in pg.inner_text("#live") and not pg.is_visible("#answer-form")


def test_a_citizen_applies_to_a_province_as_a_whole_and_is_told_which_office_handles_it(stack, page):
    """Issue 37: the citizen picks the province, then a district or "İl geneli (Valilik)";
    the receipt and the tracking page name the office that handles the application (here the
    national queue: Adana's valilik has not joined yet)."""
    pg = page
    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg, district=("01", "01-il"))
    assert pg.locator("#district option[value='01-il']").inner_text() == "İl geneli (Valilik)"
    pg.fill("#phone", own_phone())
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#receipt:not(.hidden)")
    office = pg.inner_text("#r-office-name")
    assert office == "Açık Kapı ulusal kuyruğu (İçişleri Bakanlığı)" and office in pg.inner_text("#r-office")
    no, code = pg.inner_text("#r-no").strip(), pg.inner_text("#r-code").strip()
    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.get_by_label("Erişim kodu").fill(code)
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#office")
    assert pg.inner_text("#office") == office
    shot(pg, "17-province-wide-tracked")


def _staff_opens_new_case(stack, pg, body_changes: dict, *, with_receipt: bool = False):
    """A case submitted over the API to Çankaya (which waits for triage), routed by the
    pump, then opened by its clerk in the console."""
    from tests.conftest import VALID_APPLICATION
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                              dict(VALID_APPLICATION, district="06-cankaya", **body_changes))
    assert status == 201, receipt
    no = receipt["application_no"]
    wait_for(lambda: track(stack, receipt)["status"] == "in_review")
    sign_in(stack, pg, "masa.cankaya")
    pg.get_by_role("link", name=no).wait_for()
    pg.get_by_role("link", name=no).click()
    wait_for(lambda: pg.inner_text("#case-status") == "İnceleniyor")
    return (no, receipt) if with_receipt else no


def test_the_clerk_records_information_received_by_phone(stack, page):
    pg = page
    _staff_opens_new_case(stack, pg, {})
    # the actions are a task list: forwarding (what the state calls for) open, the rest collapsed
    # (or the repeat check, when the demo applicant has applied before)
    assert pg.locator("details.task[open]").count() == 1
    assert pg.is_visible("#forward-form") or pg.is_visible("#dismiss-repeat-form")
    assert not pg.is_visible("#request-info-message") and not pg.is_visible("#not-processed-form")
    pg.locator("summary", has_text="Kuruma yönlendir").click()
    assert pg.locator("#forward-form input[data-inst]:checked").count() >= 1      # routing's suggestion ticked
    pg.locator("summary", has_text="İşleme alma").click()
    assert pg.locator("details.task[open]").count() == 1 and not pg.is_visible("#forward-form")
    pg.select_option("#not-processed-reason_code", "judicial_matter")
    pg.fill("#not-processed-explanation", "Konu mahkemede görülmekte olan bir davadır.")
    pg.get_by_role("button", name="İşleme alınmadı olarak kapat").click()        # secondary, and it asks first
    assert pg.is_visible("#not-processed-confirm") and pg.inner_text("#case-status") == "İnceleniyor"
    pg.get_by_role("button", name="Vazgeç").click()
    assert pg.inner_text("#case-status") == "İnceleniyor"
    pg.locator("summary", has_text="Ek bilgi iste").click()
    pg.fill("#request-info-message", "Kaldırımın hangi numaranın önünde olduğunu yazar mısınız?")
    pg.get_by_role("button", name="İste").click()
    wait_for(lambda: pg.inner_text("#case-status") == "Başvuru sahibinden bilgi bekleniyor")
    pg.select_option("#information-received-channel", "phone")
    pg.fill("#information-received-text", "Atatürk Bulvarı 12 numaranın önü.")
    pg.get_by_role("button", name="Kaydet ve kuyruğa döndür").click()
    wait_for(lambda: pg.inner_text("#case-status") == "İnceleniyor")
    assert "Atatürk Bulvarı 12" in pg.inner_text("#view-case")
    shot(pg, "14-information-received")


def test_a_thanks_is_acknowledged_and_passed_on_from_the_console(stack, page):
    pg = page
    _staff_opens_new_case(stack, pg, {"type": "tesekkur", "subject": "Zabıtaya teşekkür",
                                      "description": "Pazar yerindeki düzen için zabıta ekibine teşekkür ederim."})
    assert "Yok: teşekkür başvurusu" in pg.inner_text("#case-due")
    assert not pg.is_visible("#forward-form") and not pg.is_visible("#conclude-form")
    open_task(pg, "acknowledge-form")
    pg.locator("#acknowledge-form").get_by_label("Çankaya Belediye Başkanlığı").check()
    pg.fill("#acknowledge-message", "Teşekkürünüz ilgili ekibe iletilmiştir; ilginiz için sağ olun.")
    pg.get_by_role("button", name="Teşekkürü ilet ve kapat").click()
    wait_for(lambda: pg.inner_text("#case-status") == "Sonuçlandı")
    assert "Teşekkür alındı" in pg.inner_text("#view-case") and "İnceleme nedeni" not in pg.inner_text("#view-case")
    shot(pg, "15-thanks-acknowledged")


def test_the_citizen_is_told_to_call_112_in_an_emergency(stack, page):
    pg = page
    pg.goto(f"{stack.web}/basvuru.html")
    assert "112" in pg.inner_text("#emergency") and pg.is_visible("#emergency")
    pg.get_by_label("Aydınlatma metnini okudum").check()
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#heading option[value=saglik_hizmetleri]", state="attached")
    pg.select_option("#heading", "saglik_hizmetleri")
    assert not pg.is_visible("#emergency-category")
    pg.select_option("#category", "acil_ambulans")
    pg.wait_for_selector("#emergency-category", state="visible")
    assert "112" in pg.inner_text("#emergency-category")


def test_a_province_user_sees_the_province_then_picks_an_office(stack, page):
    from tests.conftest import VALID_APPLICATION
    pg = page
    no = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)[1]["application_no"]   # Maltepe
    sign_in(stack, pg, "il.istanbul")
    pg.wait_for_selector("#view-queue table, #view-queue p", state="attached")
    assert not pg.is_visible("#nav-intake")                       # read-only: no desk intake
    # the queue mixes the province's offices: a district column and a filter by office
    pg.get_by_role("link", name=no).wait_for()
    assert pg.locator("#view-queue tr", has_text=no).locator("td[data-label='İlçe']").inner_text() == "Maltepe"
    pg.select_option("#f-office", "34-kadikoy")
    pg.get_by_role("button", name="Filtrele").click()
    wait_for(lambda: no not in pg.inner_text("#view-queue"))
    pg.get_by_role("button", name="Gösterge paneli").click()
    pg.wait_for_selector("#province-table")                       # the province first: a row per office
    assert pg.locator("#province-table tbody tr").count() == 40
    assert int(pg.locator("#province-table tr[data-office='34-maltepe'] td").first.inner_text()) >= 1
    shot(pg, "16-province-dashboard-all-offices")
    pg.select_option("#dashboard-district", "34-maltepe")
    wait_for(lambda: "Maltepe" in pg.inner_text("#view-dashboard h2"))
    assert "İlçe seçiniz" not in pg.inner_text("#view-dashboard")
    shot(pg, "16-province-dashboard-one-office")


def test_the_institution_page_survives_a_reload_with_the_typed_answer(stack, page):
    pg = page
    from tests.conftest import VALID_APPLICATION
    no = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)[1]["application_no"]   # forwarded at once
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    pg.goto(inst_link(mails))
    pg.wait_for_selector("#answer-form")
    assert "#t=" not in pg.url                                      # the key left the address bar
    pg.get_by_label("Cevap metni").fill("Ekip yarın sabah bölgede olacak.")
    pg.reload()
    pg.wait_for_selector("#answer-form")                            # still the institution's page
    assert pg.input_value("#answer-text") == "Ekip yarın sabah bölgede olacak."



def test_an_admin_issues_and_revokes_an_open311_key_and_the_clerk_sees_the_partner(stack, page):
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode
    pg = page
    sign_in(stack, pg, "yonetici")
    pg.wait_for_selector("#partners-table")
    assert not pg.is_visible("#nav-intake") and pg.is_visible("#nav-partners")
    pg.get_by_role("button", name="Anahtar ver").click()                  # empty: the fields are named
    wait_for(lambda: pg.is_visible(".field-error"))
    pg.get_by_label("Ortağın adı").fill("Maltepe Kent Uygulaması")
    pg.get_by_label("İrtibat (kişi ya da e-posta)").fill("kent@maltepe.example")
    pg.select_option("#p-districts", ["34-maltepe"])
    pg.get_by_role("button", name="Anahtar ver").click()
    pg.wait_for_selector("#issued-key")
    key = pg.inner_text("#issued-key").strip()
    assert key.startswith("ak_")
    shot(pg, "17-partner-key-issued")

    def post(form):
        req = urllib.request.Request(f"{stack.api}/open311/v2/requests.json", data=urlencode(form).encode(),
                                     method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
    form = {"api_key": key, "service_code": "yol_kaldirim", "attribute[type]": "sikayet",
            "attribute[national_id]": "10000000146", "attribute[address]": "Cevizli Mah. Tugay Yolu No:5 Maltepe",
            "attribute[mobile_phone]": "05321234567", "attribute[kvkk_acknowledged]": "true", "first_name": "Ayşe",
            "last_name": "Yılmaz", "description": "Kaldırım taşları yerinden çıkmış, yaşlılar düşüyor.",
            "media_url": "https://kent.maltepe.example/foto/1.jpg"}
    status, body = post(form)
    assert status == 201, body
    import json
    no = json.loads(body)[0]["service_request_id"]
    pg.reload()
    pg.wait_for_selector("#partners-table")
    row = pg.locator("#partners-table tr", has_text="Maltepe Kent Uygulaması")
    assert row.locator(".uses").inner_text() == "1"
    pg.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Maltepe Kent Uygulaması anahtarını iptal et").click()
    wait_for(lambda: "İptal edildi" in row.locator(".state").inner_text())
    row.get_by_role("button", name="Maltepe Kent Uygulaması: denetim kaydı").click()      # every admin change, shown
    pg.wait_for_selector("#partner-audit-table")
    trail = pg.inner_text("#partner-audit-table")
    assert "Anahtar verildi" in trail and "Anahtar iptal edildi" in trail and "yonetici" in trail
    assert post(form)[0] == 403
    shot(pg, "18-partner-key-revoked")

    pg.get_by_role("button", name="Çıkış").click()
    pg.get_by_label("Kullanıcı adı").fill("masa.maltepe")
    pg.get_by_label("Parola", exact=True).fill("AcikKapi-Demo-2026")
    pg.get_by_role("button", name="Giriş yap").click()
    pg.get_by_label("Doğrulama kodu").fill(stack.totp())        # the authenticator app's code
    pg.get_by_role("button", name="Doğrula").click()
    pg.wait_for_selector("#view-queue table")
    wait_for(lambda: no in pg.inner_text("#view-queue"))
    assert "Open311 · Maltepe Kent Uygulaması" in pg.locator("#view-queue tr", has_text=no).inner_text()
    pg.get_by_role("link", name=no).click()
    pg.wait_for_selector("#case-channel")
    assert pg.inner_text("#case-channel") == "Open311 ortak uygulaması · Maltepe Kent Uygulaması"
    shot(pg, "19-open311-case")


def test_a_supervisor_handles_a_kvkk_request_and_the_citizen_downloads_their_data(stack, page):
    pg = page
    from tests.conftest import VALID_APPLICATION
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)
    assert status == 201
    no = receipt["application_no"]
    # the citizen: their own data from the tracking page
    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.fill("#code", receipt["access_code"])
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#download-data")
    with pg.expect_download() as dl:
        pg.click("#download-data")
    import json
    data = json.loads(Path(dl.value.path()).read_text())
    assert data["applications"][0]["applicant"]["national_id"] == "10000000146"

    sign_in(stack, pg, "sorumlu.maltepe")
    pg.wait_for_selector("#view-queue table")
    pg.get_by_role("button", name="KVKK").click()
    pg.wait_for_selector("#kvkk-register")
    assert pg.is_visible("#destruction-log")
    pg.get_by_role("button", name="Kaydet").click()                       # empty: each field is named
    wait_for(lambda: pg.locator("#kvkk-register .field-error").count() >= 3)
    pg.get_by_label("T.C. Kimlik No / YKN").fill("10000000146")
    pg.select_option("#k-kind", "correction")
    pg.select_option("#k-channel", "letter")
    pg.get_by_role("button", name="Kaydet").click()
    pg.wait_for_selector("#kvkk-applications")
    assert no in pg.inner_text("#kvkk-applications")
    shot(pg, "20-kvkk-request")
    pg.get_by_role("button", name="Veri örneğini hazırla (yazdırılabilir)").click()
    pg.wait_for_selector("#kvkk-copy-doc")
    assert "Ayşe" in pg.inner_text("#kvkk-copy-doc") and "Maltepe" in pg.inner_text("#kvkk-copy-doc")
    shot(pg, "21-kvkk-copy")
    pg.select_option("#c-application_no", no)
    pg.select_option("#c-field", "address")
    pg.fill("#c-value", "Çınar Sokak No:3 Maltepe / İstanbul")
    pg.fill("#c-reason", "Başvuru sahibi yeni adresini dilekçeyle bildirdi.")
    pg.get_by_role("button", name="Düzelt").click()
    wait_for(lambda: "Düzeltildi" in pg.inner_text("#live"))
    row = pg.locator("#kvkk-applications tr", has_text=no)
    assert "işlemde" in row.inner_text()                                   # an open case: erasure refused, with why
    pg.fill("#k-answer", "Adres bilginiz dilekçeniz üzerine düzeltilmiştir; bilgilerinize sunarız.")
    pg.get_by_role("button", name="Cevapla ve kapat").click()
    wait_for(lambda: "Cevaplandı" in pg.inner_text("#kvkk-status"))
    shot(pg, "22-kvkk-closed")
    assert call("GET", f"{stack.api}/v1/applications/{no}", headers={"X-Access-Code": receipt["access_code"]})[0] == 200


def test_a_citizen_who_lost_the_code_verifies_the_phone_and_sees_both_applications(stack, browser):
    from tests.conftest import VALID_APPLICATION
    applicant = dict(VALID_APPLICATION["applicant"], national_id="10000000078", phone="0535 111 22 33")
    nos = []
    for subject in ("Sokak lambası yanmıyor", "Çöp konteyneri dolu"):
        status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                                  dict(VALID_APPLICATION, subject=subject, applicant=applicant))
        assert status == 201
        nos.append(receipt["application_no"])
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/izle.html")
    pg.get_by_role("link", name="Başvurularım").last.click()
    pg.wait_for_selector("#otp-request")
    pg.get_by_label("T.C. Kimlik No / YKN").fill("10000000078")
    pg.get_by_label("Cep telefonu").fill("0535 111 22 33")
    pg.get_by_role("button", name="Kod gönder").click()
    pg.wait_for_selector("#otp-verify:not(.hidden)")

    def code():
        box = call("GET", f"{stack.api}/v1/dev/outbox")[1]
        found = [m for m in box["sms"] if m["to"] == "+905351112233" and "doğrulama kodunuz" in m["body"]]
        return found and re.search(r"\b(\d{6})\b", found[0]["body"]).group(1)
    pg.get_by_label("Doğrulama kodu (6 hane)").fill(wait_for(code, timeout=20))
    pg.get_by_role("button", name="Giriş").click()
    pg.wait_for_selector("#mine-table")
    text = pg.inner_text("#mine-table")
    assert all(no in text for no in nos) and "Başvurularınız (2)" in pg.inner_text("#mine")
    # issue 41: the table scrolled sideways inside its box at 360 px; each row is a card now
    assert pg.evaluate("(() => { const w = document.querySelector('#mine .table-wrap'); "
                       "return w.scrollWidth <= w.clientWidth + 1; })()")
    shot(pg, "23-basvurularim-360")
    # issue 41 item 2: the office asks her for more; signed in, she answers, adds a photo and
    # can download her data, with no access code anywhere on the page
    desk = staff_headers(stack, "masa.maltepe")
    case = wait_for(lambda: (c := call("GET", f"{stack.api}/v1/staff/cases/{nos[0]}", headers=desk)[1])["status"]
                    == "forwarded" and c, timeout=30)
    assert call("POST", f"{stack.api}/v1/staff/cases/{nos[0]}/request-info",
                {"message": "Lambanın hangi direkte olduğunu yazar mısınız?", "version": case["version"]}, desk)[0] == 200
    pg.get_by_role("link", name=nos[0]).click()
    pg.wait_for_selector("#status")
    assert nos[0] in pg.inner_text("#result")
    assert not pg.is_visible("#lookup") and not pg.is_visible("#code")        # no empty access-code field
    assert pg.is_visible("#my-data") and pg.is_visible("#photo-file")
    pg.fill("#reply-text", "Okulun karşısındaki 12 numaralı direk.")
    pg.get_by_role("button", name="Gönder").click()
    wait_for(lambda: "Kaydedildi" in pg.inner_text("#live"))
    assert pg.evaluate("document.activeElement.id") == "result-heading"    # not dropped to <body>
    assert "Ek bilginiz alındı" in pg.inner_text("#result")
    from tests.unit.test_citizen_photos import jpeg_with_gps
    photo = ARTIFACTS / "session-photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    pg.set_input_files("#photo-file", str(photo))
    pg.wait_for_selector("#my-files li")
    shot(pg, "24-track-with-session-360")
    context.close()


def test_a_citizen_attaches_a_photo_from_the_phone_and_the_clerk_sees_it(stack, browser):
    from tests.conftest import VALID_APPLICATION
    from tests.unit.test_citizen_photos import jpeg_with_gps
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", dict(VALID_APPLICATION, subject="Çukur var"))
    assert status == 201
    no = receipt["application_no"]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.fill("#code", receipt["access_code"])
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#photo-file")
    assert pg.get_attribute("#photo-camera", "capture") == "environment"
    photo = ARTIFACTS / "gps-photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    pg.set_input_files("#photo-file", str(photo))
    pg.wait_for_selector("#my-files li")
    assert "konum ve cihaz bilgileri silindi" in pg.inner_text("#live")
    shot(pg, "25-photo-attached-360")
    context.close()
    page = browser.new_page()
    sign_in(stack, page, "masa.maltepe")
    page.wait_for_selector("#view-queue table")
    page.get_by_role("link", name=no).click()
    page.wait_for_selector("#case-citizen-files a")
    href = page.get_attribute("#case-citizen-files a", "href")
    import urllib.request
    from io import BytesIO

    from PIL import Image
    body = urllib.request.urlopen(href, timeout=10).read()
    assert dict(Image.open(BytesIO(body)).getexif()) == {}
    shot(page, "26-clerk-sees-photo")
    page.close()
    # issue 41 item 8: the institution sees the photo itself, not only its file name
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    clerk = browser.new_page()
    clerk.goto(inst_link(mails))
    clerk.wait_for_selector("#citizen-files img")
    wait_for(lambda: clerk.evaluate("document.querySelector('#citizen-files img').naturalWidth") > 0)
    assert clerk.get_attribute("#citizen-files img", "alt").startswith("Vatandaşın fotoğrafı 1")
    shot(clerk, "26-institution-sees-thumbnail")
    clerk.close()


def test_the_app_installs_opens_offline_keeps_a_draft_and_sends_a_queued_application_once(stack, browser):
    import json
    import urllib.request
    manifest = json.loads(urllib.request.urlopen(f"{stack.web}/manifest.webmanifest", timeout=10).read())
    assert manifest["lang"] == "tr" and manifest["display"] == "standalone" and manifest["short_name"] == "Açık Kapı"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
    for icon in manifest["icons"]:
        assert urllib.request.urlopen(f"{stack.web}/{icon['src']}", timeout=10).status == 200
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{stack.web}/basvuru.html")
    assert pg.get_attribute("link[rel=manifest]", "href") == "manifest.webmanifest"
    pg.evaluate("navigator.serviceWorker.ready.then(() => true)")
    pg.reload()
    wait_for(lambda: pg.evaluate("!!navigator.serviceWorker.controller"))
    pg.get_by_label("Aydınlatma metnini okudum").check()                  # the catalogue, cached online
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")

    context.set_offline(True)
    pg.reload()
    assert "İnternet bağlantısı yok" in pg.inner_text("#offline-banner")
    subject = f"Çevrimdışı başvuru {os.getpid()}-{id(pg)}"
    fill_application(pg, description="Kaldırım taşları yerinden oynamış, gece yürürken düşen oldu.")
    pg.fill("#subject", subject)
    pg.reload()                                                           # a crash or a reload, offline
    assert pg.is_visible("#draft-note")
    assert pg.is_checked("#kvkk-ack")                     # issue 41: the tick is kept with the draft
    pg.get_by_label("Aydınlatma metnini okudum").check()
    pg.get_by_role("button", name="Devam et").click()
    wait_for(lambda: pg.input_value("#subject") == subject)
    assert pg.input_value("#district") == "06-cankaya" and pg.input_value("#national_id") == "10000000146"
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#pending:not(.hidden)")
    assert "gönderilmeyi bekliyor" in pg.inner_text("#live")
    shot(pg, "27-offline-pending-360")

    context.set_offline(False)
    pg.wait_for_selector("#receipt:not(.hidden)", timeout=20000)
    no = pg.inner_text("#r-no")
    assert pg.evaluate("localStorage.getItem('acikkapi.draft')") is None     # personal data gone once received
    assert pg.evaluate("localStorage.getItem('acikkapi.outbox')") is None
    shot(pg, "28-offline-received-360")
    auth = staff_headers(stack, "masa.cankaya")
    items = []
    cursor = ""
    while True:
        page = call("GET", f"{stack.api}/v1/staff/cases?district=06-cankaya&limit=100{cursor}", headers=auth)[1]
        items += [i for i in page["items"] if i["subject"] == subject]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert [i["application_no"] for i in items] == [no]                    # exactly once
    # the office console says plainly that it needs a connection
    context.set_offline(True)
    pg.goto(f"{stack.web}/buro.html")
    assert "çevrimdışı çalışmaz" in pg.inner_text("body")
    context.set_offline(False)
    context.close()
    assert errors == [], errors


def test_a_new_version_of_the_app_is_offered_as_a_reload(stack, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/izle.html")
    pg.evaluate("navigator.serviceWorker.ready.then(() => true)")
    pg.reload()
    wait_for(lambda: pg.evaluate("!!navigator.serviceWorker.controller"))
    # a new worker script reaches the registration (as a deploy of a new sw.js does)
    pg.evaluate("navigator.serviceWorker.register('sw.js?release=next').then(() => true)")
    pg.wait_for_selector("#update-banner #pwa-reload", timeout=15000)
    assert "yeni sürümü hazır" in pg.inner_text("#update-banner")
    with pg.expect_navigation():
        pg.click("#pwa-reload")                                  # only when the citizen accepts
    wait_for(lambda: "release=next" in pg.evaluate("navigator.serviceWorker.controller.scriptURL"))
    # (the reloaded page registers sw.js again, which this test's other script URL makes "new" once more)
    shot(pg, "29-new-version-reloaded-360")
    context.close()


def test_the_clerk_sees_a_possible_repeat_and_dismisses_it_with_a_reason(stack, page):
    from tests.conftest import VALID_APPLICATION
    applicant = dict(VALID_APPLICATION["applicant"], national_id="10000000214", phone=own_phone())
    subject = f"Ağaç dalı kırıldı {os.getpid()}"
    nos = []
    for text in (subject, subject.upper()):
        status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                                  dict(VALID_APPLICATION, subject=text, category="park_bahce", applicant=applicant))
        assert status == 201
        nos.append(receipt["application_no"])
        wait_for(lambda: outbox_for(stack, receipt["application_no"])[0])     # routed
    pg = page
    sign_in(stack, pg, "masa.maltepe")
    pg.wait_for_selector("#view-queue table")
    row = pg.locator("#view-queue tr", has_text=nos[1])
    assert "olası tekrar" in row.inner_text()
    pg.get_by_role("link", name=nos[1]).click()
    pg.wait_for_selector("#case-repeat")
    assert nos[0] in pg.inner_text("#case-repeat")
    pg.click("#same-applicant-load")
    wait_for(lambda: nos[0] in pg.inner_text("#same-applicant"))
    shot(pg, "30-possible-repeat")
    pg.fill("#dismiss-repeat-reason", "Aynı parkta başka bir ağaç; ayrı başvuru.")
    pg.get_by_role("button", name="İşareti kaldır").click()
    wait_for(lambda: "işareti kaldırıldı" in pg.inner_text("#case-repeat"))


def test_the_supervisor_exports_the_queue_as_csv_with_names_only_with_a_reason(stack, page):
    from tests.conftest import VALID_APPLICATION
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)
    assert status == 201
    pg = page
    sign_in(stack, pg, "sorumlu.maltepe")
    pg.wait_for_selector("#export")
    pg.get_by_label("Başvuru sahibinin adını da ekle").check()
    pg.get_by_role("button", name="CSV indir").click()
    wait_for(lambda: pg.get_attribute("#export-reason", "aria-invalid") == "true")    # refused beside the field
    assert "gerekçe" in pg.inner_text("#export .field-error")
    pg.fill("#export-reason", "Kaymakamlık makamına sunulacak aylık rapor.")
    with pg.expect_download() as info:
        pg.get_by_role("button", name="CSV indir").click()
    body = Path(info.value.path()).read_bytes().decode("utf-8")
    assert body.startswith("\ufeffBaşvuru numarası") and "Ad soyad" in body
    assert receipt["application_no"] in body and "Ayşe Yılmaz" in body
    assert "10000000146" not in body and "5321234567" not in body and "Bağdat" not in body
    assert "satır" in pg.inner_text("#export-status")
    shot(pg, "31-export")


def test_the_public_statistics_page_shows_the_published_month_and_its_open_data(stack, page, browser):
    import subprocess
    import sys

    from tests.conftest import VALID_APPLICATION
    from tests.e2e.conftest import ROOT
    for _ in range(5):
        assert call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)[0] == 201
    assert call("POST", f"{stack.api}/v1/applications", dict(VALID_APPLICATION, type="oneri",
                                                             subject="Parka bank konulsun"))[0] == 201
    from devstack.stack import (
        first_of_next_month,  # a month is published once it has ended
    )
    out = subprocess.run([sys.executable, "-m", "devstack", "sweep", "stats", "--as-of", first_of_next_month(),
                          "--moto-port", str(stack.moto_port)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "ACIKKAPI_LOCAL_STATE": stack.state_dir})
    assert out.returncode == 0, out.stderr
    _, published, _ = call("GET", f"{stack.api}/v1/stats")
    [total] = [r for r in published["rows"] if r["level"] == "national" and r["type"] == "all"]
    assert total["received"] >= 5
    pg = page
    pg.goto(f"{stack.web}/istatistik.html")
    pg.wait_for_selector("#result:not(.hidden)")
    assert pg.inner_text("#result-heading").startswith("Türkiye geneli")
    assert f"{total['received']:,}".replace(",", ".") in pg.inner_text("#tiles")
    assert pg.get_attribute("svg.chart", "role") == "img" and pg.locator("svg.chart title").count() == 1
    hidden = [r["type"] for r in published["rows"] if r["level"] == "national" and r["received"] is None]
    assert hidden                                                     # a type with 1-4 applications
    by_type = pg.inner_text("#by-type")
    assert by_type.count("gizli") >= len(hidden) and "Görüş / Öneri\tgizli" in by_type
    pg.get_by_label("Yer").select_option("34")
    pg.get_by_role("button", name="Göster").click()
    wait_for(lambda: pg.inner_text("#result-heading").startswith("İstanbul"))
    assert pg.evaluate("document.activeElement.id") == "result-heading"
    assert "Maltepe" in pg.inner_text("#by-place") and "İlçelere göre" in pg.inner_text("#by-place-heading")
    href = pg.get_attribute("#download", "href")
    assert "format=csv" in href and "province=34" in href
    import urllib.request
    with urllib.request.urlopen(href, timeout=10) as resp:
        assert resp.headers["Content-Type"].startswith("text/csv")
        text = resp.read().decode("utf-8")
    assert text.startswith("\ufeffay,düzey") and "Maltepe" in text
    shot(pg, "32-statistics")
    small = browser.new_context(viewport={"width": 360, "height": 780}, locale="tr-TR").new_page()
    small.goto(f"{stack.web}/istatistik.html")
    small.wait_for_selector("#result:not(.hidden)")
    # the chart's labels stay readable on a phone (they shrank to about 5 px): at least 11 px drawn
    drawn = small.evaluate("Math.min(...[...document.querySelectorAll('svg.chart text')]"
                           ".map(t => t.getBoundingClientRect().height))")
    assert drawn >= 11, drawn
    shot(small, "32-statistics-360")
    # issue 41 item 7: the statistics open offline too, with the figures last seen here
    small.evaluate("navigator.serviceWorker.ready.then(() => true)")
    small.reload()
    wait_for(lambda: small.evaluate("!!navigator.serviceWorker.controller"))
    small.wait_for_selector("#result:not(.hidden)")                    # through the worker: it keeps a copy
    small.context.set_offline(True)
    small.reload()
    small.wait_for_selector("#result:not(.hidden)")
    small.wait_for_selector("#offline-figures:not([hidden])")
    assert "Bağlantınız yok" in small.inner_text("#offline-figures")
    assert f"{total['received']:,}".replace(",", ".") in small.inner_text("#tiles")
    small.context.close()


def test_the_receipt_is_a_confirmation_page_with_copy_buttons_and_unbroken_codes_at_360_px(stack, browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, locale="tr-TR",
                              permissions=["clipboard-read", "clipboard-write"])
    pg = ctx.new_page()
    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg)
    import random
    pg.fill("#phone", f"0542 {random.randint(100, 999)} {random.randint(10, 99)} {random.randint(10, 99)}")   # its own
    pg.fill("#email", "ayse@example.com")          # allowance of 5 receipts a day
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#receipt:not(.hidden)")
    assert pg.inner_text("h1") == "Başvurunuz alındı" and pg.title().startswith("Başvurunuz alındı")
    assert pg.is_hidden("#emergency")
    steps = pg.inner_text(".next-steps")
    assert "SMS" in steps and "ayse@example.com" in steps and "tarihine kadar" in steps
    for code in ("#r-no", "#r-code"):
        box = pg.locator(code).bounding_box()
        line = pg.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{code}')).lineHeight)")
        assert box["height"] < 1.5 * line, f"{code} breaks across lines at 360 px"
    pg.get_by_role("button", name="Kodu kopyala").click()
    wait_for(lambda: pg.evaluate("navigator.clipboard.readText()") == pg.inner_text("#r-code").strip())
    no = pg.inner_text("#r-no").strip()
    shot(pg, "03-receipt-360")
    # issue 41 item 5: the receipt as a PDF to keep or share
    with pg.expect_download() as download:
        pg.get_by_role("button", name="PDF olarak indir").click()
    path = download.value.path()
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert no in text and pg.inner_text("#r-code").strip() in text and "Kaldırım çökmüş" in text
    # on paper, no button and no screen message
    pg.emulate_media(media="print")
    assert not pg.is_visible("#print-receipt") and not pg.is_visible("button.copy") and pg.is_visible("#r-no")
    pg.emulate_media(media="screen")
    # a receipt anyone can verify: its QR code and short code, checked on dogrula.html
    pg.wait_for_selector("#r-qr:not([hidden])")
    assert pg.evaluate("document.getElementById('r-qr').naturalWidth") > 0
    short = pg.inner_text("#r-short").strip()
    assert re.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}", short), short
    href = pg.get_attribute("#r-verify-link", "href")
    pg.get_by_role("link", name="Makbuz doğrula").click()
    pg.wait_for_selector("#result:not(.hidden)")
    assert pg.inner_text("#result-heading") == "Makbuz geçerli" and pg.inner_text("#v-no") == no
    assert pg.inner_text("#v-office")
    pg.fill("#subject", "Kaldırım çökmüş")
    pg.get_by_role("button", name="Konuyu denetle").click()
    wait_for(lambda: "aynı." in pg.inner_text("#subject-result"))
    pg.fill("#subject", "Kaldırım çöktü")
    pg.get_by_role("button", name="Konuyu denetle").click()
    wait_for(lambda: "aynı değil" in pg.inner_text("#subject-result"))
    shot(pg, "45-receipt-verified-360")
    token = href.split("#r=", 1)[1]
    parts = token.split(".")
    parts[1] = parts[1][:-1] + ("A" if parts[1][-1] != "A" else "B")   # one character of the number
    tampered = ".".join(parts)
    # another receipt opened in this tab changes only the #fragment: while it is checked, the
    # last receipt's "geçerli" must be gone, and a late answer to an older check never shows
    held = []
    pg.route("**/v1/receipts/verify", lambda route: held.append(route))
    pg.goto(f"{stack.web}/dogrula.html#r={tampered}")
    wait_for(lambda: pg.evaluate("0") == 0 and held)          # the check is sent, and held
    assert pg.is_hidden("#result") and pg.inner_text("#live") == "Makbuz doğrulanıyor…"
    pg.goto(f"{stack.web}/dogrula.html#r={token}")            # the valid one again, then back
    pg.goto(f"{stack.web}/dogrula.html#r={tampered}")
    wait_for(lambda: pg.evaluate("0") == 0 and len(held) == 3)
    held[2].continue_()
    pg.wait_for_selector("#result:not(.hidden)")
    assert pg.inner_text("#result-heading") == "Makbuz doğrulanamadı" and not pg.is_visible("#facts")
    with pg.expect_response("**/v1/receipts/verify"):
        held[1].continue_()                                     # the valid token's answer, late
    pg.wait_for_timeout(300)
    assert pg.inner_text("#result-heading") == "Makbuz doğrulanamadı" and not pg.is_visible("#facts")
    held[0].continue_()
    pg.unroute("**/v1/receipts/verify")
    pg.goto(f"{stack.web}/dogrula.html")
    pg.fill("#application_no", no)
    pg.fill("#short_code", short.lower())
    pg.get_by_role("button", name="Doğrula", exact=True).click()
    wait_for(lambda: pg.inner_text("#result-heading") == "Makbuz geçerli")
    ctx.close()
    # the institution's mail may land first: wait for the citizen's receipt
    wait_for(lambda: any(m["to"] == ["ayse@example.com"] and "alındı" in m["subject"]
                         for m in outbox_for(stack, no)[1]))


def _tab_to(pg, element_id, limit=60):
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_alone_answers_as_an_institution_and_forwards_as_a_clerk(stack, page):
    from tests.conftest import VALID_APPLICATION
    pg = page
    no = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)[1]["application_no"]   # Maltepe: forwarded
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    pg.goto(inst_link(mails))
    pg.wait_for_selector("#answer-form")
    _tab_to(pg, "answer-outcome")
    pg.keyboard.press("ArrowDown")                     # the first outcome
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.id") == "answer-text"
    pg.keyboard.type("Ekip yönlendirildi; onarım bu hafta yapılacak.")
    _tab_to(pg, "responder-name")
    pg.keyboard.type("Mehmet Demir")
    pg.keyboard.press("Tab")
    pg.keyboard.type("Fen İşleri Müdürü")
    for _ in range(10):                                # on to the send button
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.textContent") == "Cevabı gönder":
            break
    pg.keyboard.press("Enter")
    wait_for(lambda: pg.inner_text("#assignment-status") == "Cevaplandı")

    # a clerk (Çankaya waits for triage) forwards with the keyboard alone
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                              dict(VALID_APPLICATION, district="06-cankaya", subject=f"Klavye {os.getpid()}"))
    wait_for(lambda: track(stack, receipt)["status"] == "in_review")
    pg.goto(f"{stack.web}/buro.html")
    _tab_to(pg, "username")
    pg.keyboard.type("masa.cankaya")
    pg.keyboard.press("Tab")
    pg.keyboard.type("AcikKapi-Demo-2026")
    pg.keyboard.press("Enter")
    pg.get_by_label("Doğrulama kodu").wait_for()
    assert pg.evaluate("document.activeElement.id") == "code"      # the code field has the focus
    pg.keyboard.type(stack.totp())
    pg.keyboard.press("Enter")
    pg.get_by_role("link", name=receipt["application_no"]).wait_for()
    pg.get_by_role("link", name=receipt["application_no"]).focus()
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#tasks")
    if not pg.is_visible("#forward-form"):
        pg.focus("#task-forward-form > summary")
        pg.keyboard.press("Enter")                     # a summary opens with the keyboard
    pg.wait_for_selector("#forward-form")
    for _ in range(80):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.textContent") == "Yönlendir":
            break
    assert pg.locator("#forward-form input[data-inst]:checked").count() >= 1     # the suggestion, ticked
    pg.keyboard.press("Enter")
    wait_for(lambda: pg.inner_text("#case-status") == "Kuruma iletildi")


def test_at_360_px_a_lost_connection_is_announced_where_the_person_is(stack, browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 700}, locale="tr-TR")
    pg = ctx.new_page()
    pg.goto(f"{stack.web}/basvuru.html")
    pg.get_by_label("Aydınlatma metnini okudum").check()
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    pg.evaluate("window.scrollTo(0, document.body.scrollHeight)")           # at the bottom of the form
    ctx.set_offline(True)
    banner = pg.wait_for_selector("#offline-banner:not([hidden])")
    box = banner.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 700 and box["x"] + box["width"] <= 360, box
    assert "bağlantı" in banner.inner_text().lower()
    ctx.set_offline(False)
    ctx.close()


def test_the_notice_is_layered_its_tick_is_on_the_first_screen_and_its_error_goes_once_ticked(stack, browser):
    """Issue 41 item 3: on a 360 px phone the tick was three screens down, had to be ticked
    again after a reload, and its error stayed after it was ticked."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/basvuru.html")
    box = pg.locator("#kvkk-ack").bounding_box()
    assert box and box["y"] + box["height"] <= 740, box              # no scrolling to find it
    assert "Veri sorumlusu" in pg.inner_text("#kvkk-summary") and not pg.is_visible("#kvkk-full")
    pg.get_by_text("Aydınlatma metninin tamamı").click()                # the full text, one tap away
    assert pg.is_visible("#kvkk-full") and "Veri sorumlusu" in pg.inner_text("#kvkk-full")
    pg.get_by_role("button", name="Devam et").click()
    assert "işaretleyiniz" in pg.inner_text("#kvkk-step")
    pg.get_by_label("Aydınlatma metnini okudum").check()
    assert "işaretleyiniz" not in pg.inner_text("#kvkk-step") and "işaretleyiniz" not in pg.inner_text("#live")
    assert not pg.title().startswith("Hata")
    pg.reload()
    assert pg.is_checked("#kvkk-ack")                                  # kept (with the draft) across a reload
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    shot(pg, "40-notice-layered-360")
    context.close()


def installed_form(stack, browser):
    """A phone (360 x 740) whose form page is controlled by the service worker, with the
    catalogue cached online: what the offline journeys start from."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/basvuru.html")
    pg.evaluate("navigator.serviceWorker.ready.then(() => true)")
    pg.reload()
    wait_for(lambda: pg.evaluate("!!navigator.serviceWorker.controller"))
    pg.get_by_label("Aydınlatma metnini okudum").check()                  # the catalogue, cached online
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    return context, pg


def test_a_queued_application_is_announced_and_sent_from_any_page(stack, browser):
    """Issue 41 item 4: the application queued offline was sent only from the form page.
    Every citizen page now says one is waiting and sends it when the connection returns;
    the receipt (number and code) opens from the banner, and one case is recorded."""
    context, pg = installed_form(stack, browser)
    context.set_offline(True)
    pg.reload()
    subject = f"Her sayfadan gönderim {os.getpid()}-{id(pg)}"
    fill_application(pg, description="Parktaki salıncağın zinciri kopmuş, çocuklar için tehlikeli.")
    pg.fill("#subject", subject)
    pg.fill("#phone", own_phone())
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#pending:not(.hidden)")
    pg.goto(f"{stack.web}/index.html")                                   # another page, still offline
    pg.wait_for_selector("#outbox-banner:not([hidden])")
    assert "Gönderilmeyi bekleyen bir başvurunuz var" in pg.inner_text("#outbox-banner")
    shot(pg, "41-outbox-waiting-360")
    context.set_offline(False)
    wait_for(lambda: "gönderildi" in pg.inner_text("#outbox-banner"), timeout=30)
    pg.get_by_role("link", name="alındı belgesini açınız").click()
    pg.wait_for_selector("#receipt:not(.hidden)")
    no, code = pg.inner_text("#r-no"), pg.inner_text("#r-code")
    assert no and code and pg.inner_text("#r-subject") == subject
    assert pg.evaluate("localStorage.getItem('acikkapi.sent')") is None   # the code is kept only until shown
    assert pg.evaluate("localStorage.getItem('acikkapi.outbox')") is None
    assert track(stack, {"application_no": no, "access_code": code})["subject"] == subject
    auth = staff_headers(stack, "masa.cankaya")
    found, cursor = [], ""
    while True:
        page = call("GET", f"{stack.api}/v1/staff/cases?district=06-cankaya&limit=100{cursor}", headers=auth)[1]
        found += [i["application_no"] for i in page["items"] if i["subject"] == subject]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert found == [no]                                                  # once, whoever sent it
    shot(pg, "42-outbox-received-360")
    context.close()


def test_photos_chosen_in_the_form_travel_with_an_application_queued_offline(stack, browser):
    """Issue 41 item 1: two photos inside the form (gallery and camera), thumbnails and a
    remove button, kept across a reload and an offline queue, uploaded with the receipt's
    code once the application is received: the citizen never types the code."""
    from tests.unit.test_citizen_photos import jpeg_with_gps
    context, pg = installed_form(stack, browser)
    pg.reload()
    subject = f"Fotoğraflı başvuru {os.getpid()}-{id(pg)}"
    fill_application(pg, description="Yol kenarındaki ağaç devrilmek üzere, fotoğrafları ekliyorum.")
    pg.fill("#subject", subject)
    pg.fill("#phone", own_phone())
    photos = []
    for i in range(3):
        path = ARTIFACTS / f"form-photo-{i}.jpg"
        path.write_bytes(jpeg_with_gps())
        photos.append(str(path))
    pg.set_input_files("#form-photo-file", photos[:2])                    # the gallery, two at once
    pg.wait_for_selector("#form-photos li:nth-child(2) img")
    pg.get_by_role("button", name="form-photo-0.jpg dosyasını kaldır").click()
    wait_for(lambda: pg.locator("#form-photos li").count() == 1)
    pg.set_input_files("#form-photo-camera", photos[2])                   # the camera
    pg.wait_for_selector("#form-photos li:nth-child(2)")
    assert pg.evaluate("document.querySelector('#form-photos img').naturalWidth") > 0
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    shot(pg, "43-form-photos-360")
    context.set_offline(True)
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#pending:not(.hidden)")
    pg.reload()                                                           # the photos are kept with the queue
    pg.wait_for_selector("#pending:not(.hidden)")
    context.set_offline(False)
    pg.wait_for_selector("#receipt:not(.hidden)", timeout=20000)
    wait_for(lambda: "2 dosya başvurunuza eklendi" in pg.inner_text("#r-files"), timeout=30)
    receipt = {"application_no": pg.inner_text("#r-no"), "access_code": pg.inner_text("#r-code")}
    view = track(stack, receipt)
    assert view["subject"] == subject and len(view["attachments"]) == 2
    shot(pg, "44-form-photos-received-360")
    context.close()


def test_the_phones_position_is_a_suggestion_the_person_sees_and_can_remove(stack, browser):
    """Issue 41 item 1: "Konumumu ekle" put raw coordinates in the application with no way to
    check or remove them. The position is now shown first (with how precise it is), added
    only on request, kept with the draft, and removable."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR",
                                  geolocation={"latitude": 40.93512, "longitude": 29.15531, "accuracy": 12},
                                  permissions=["geolocation"])
    pg = context.new_page()
    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg)
    pg.get_by_role("button", name="Konumumu öner").click()
    wait_for(lambda: "yaklaşık 12 m" in pg.inner_text("#location-text"))
    assert "40.93512" in pg.inner_text("#location-text") and pg.input_value("#location") == ""   # not yet added
    assert not pg.is_visible("#location-map")                              # no tile service configured: no map
    pg.get_by_role("button", name="Bu konumu ekle").click()
    assert "Konum eklendi" in pg.inner_text("#location-text") and "40.93512" in pg.input_value("#location")
    pg.reload()                                                          # kept with the draft
    pg.get_by_role("button", name="Devam et").click()
    wait_for(lambda: "Konum eklendi" in pg.inner_text("#location-text"))
    pg.get_by_role("button", name="Konumu kaldır").click()
    assert pg.input_value("#location") == "" and not pg.is_visible("#location-suggestion")
    assert pg.evaluate("document.activeElement.id") == "use-location"
    shot(pg, "46-location-removed-360")
    context.close()


def test_a_map_shows_the_position_only_where_the_deployment_configures_tiles(stack, browser, monkeypatch):
    """Issue 41 item 1: "a map only where the deployment configures a tile source, never
    required". With mapTiles in config.js the suggested position is shown on nine tiles
    around it at street level, marked in the middle; the tiles asked for are the ones that
    hold the point; removing the position removes the map."""
    import math
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR",
                                  geolocation={"latitude": 40.93512, "longitude": 29.15531, "accuracy": 12},
                                  permissions=["geolocation"])
    pg = context.new_page()
    asked = []
    png = (Path(__file__).resolve().parents[2] / "web" / "icons" / "icon-192.png").read_bytes()

    def tile(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=png)
    pg.route("https://tiles.example/**", tile)
    pg.route("**/config.js", lambda route: route.fulfill(
        status=200, content_type="application/javascript",
        body='window.ACIKKAPI_CONFIG = {"apiBase": "%s", "mapTiles": "https://tiles.example/{z}/{x}/{y}.png", '
             '"mapAttribution": "© Harita katkıcıları"};' % stack.api))
    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg)
    pg.get_by_role("button", name="Konumumu öner").click()
    pg.wait_for_selector("#location-map:not([hidden]) .map-tile")
    n = 2 ** 17
    lat = math.radians(40.93512)
    x = int((29.15531 + 180) / 360 * n)
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    srcs = pg.eval_on_selector_all("#location-map .map-tile", "els => els.map(e => e.getAttribute('src'))")
    assert len(srcs) == 9 and f"https://tiles.example/17/{x}/{y}.png" == srcs[4]
    wait_for(lambda: len(asked) == 9)
    marker = pg.locator("#location-map .map-marker").bounding_box()
    view = pg.locator("#location-map .map-view").bounding_box()
    assert abs(marker["x"] + marker["width"] / 2 - (view["x"] + view["width"] / 2)) < 2
    assert pg.get_attribute("#location-map .map-view", "aria-label") == "Haritada konum: enlem 40.93512, boylam 29.15531"
    assert "Harita katkıcıları" in pg.inner_text("#location-map figcaption")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    shot(pg, "47-location-map-360")
    from tests.e2e.test_accessibility import audit
    assert audit(pg, "location-map") == []
    pg.get_by_role("button", name="Bu konumu ekle").click()
    assert pg.is_visible("#location-map")
    pg.get_by_role("button", name="Konumu kaldır").click()
    assert not pg.is_visible("#location-map")
    context.close()
    from devstack.web import config_js                                    # how a deployment sets it
    monkeypatch.setenv("MAP_TILES", "https://tiles.example/{z}/{x}/{y}.png")
    assert '"mapTiles": "https://tiles.example/{z}/{x}/{y}.png"' in config_js("http://x").decode("utf-8")


def test_the_chosen_neighbourhood_is_kept_with_the_draft(stack, browser):
    """Issue 41 item 1: the neighbourhood list arrives after the district is restored; the
    draft waits for it, so a reload brings back the neighbourhood and the street too."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="tr-TR")
    pg = context.new_page()
    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg, district=("34", "34-maltepe"))
    pg.wait_for_selector("#neighbourhood option[value='Cevizli Mahallesi']", state="attached")
    pg.get_by_label("Mahalle ya da köy").select_option("Cevizli Mahallesi")
    pg.get_by_label("Cadde, sokak ve numara").fill("Bağdat Caddesi No 5")
    pg.reload()
    pg.get_by_role("button", name="Devam et").click()
    wait_for(lambda: pg.input_value("#neighbourhood") == "Cevizli Mahallesi")
    assert pg.input_value("#street") == "Bağdat Caddesi No 5" and pg.input_value("#district") == "34-maltepe"
    pg.select_option("#district", "34-kadikoy")                          # another district: its own list
    wait_for(lambda: pg.locator("#neighbourhood option[value='Caferağa Mahallesi']").count() == 1)
    assert pg.input_value("#neighbourhood") == ""
    context.close()
