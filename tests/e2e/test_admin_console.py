"""Issue 38, "done when": a new office goes from nothing to taking and forwarding
applications through the console's screens alone, in a real Chromium on the local stack:
the national admin sets up the office, corrects an institution's liaison address and
sends it a confirmation link that its reader opens and confirms, invites a clerk; the
clerk signs in with the temporary password, sets a password and an authenticator app
(the QR code's secret), and forwards a citizen's application to the confirmed
institution, whose e-mail arrives with its link. Every change is in the audit screen."""
from __future__ import annotations

import re

import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, has_inst_link, inst_link, outbox_for, wait_for
from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser import ARTIFACTS, shot, sign_in

pytestmark = pytest.mark.e2e

OFFICE = "34-beykoz"
LIAISON = "yazi.isleri@beykoz.bel.example"
CLERK_EMAIL = "sevgi.cakir@beykoz-kaymakamligi.example"


def _said(pg, text):
    """Waits for the page's live region to say `text`; an error said instead fails at once, with it."""
    try:
        said = wait_for(lambda: (t := pg.inner_text("#live")) and (text in t or "err" in (
            pg.get_attribute("#live", "class") or "")) and t)
    except AssertionError:
        pg.screenshot(path=str(ARTIFACTS / "38-failed.png"), full_page=True)
        raise AssertionError(f"the page never said {text!r}") from None
    assert text in said, said


def _mails_to(stack, address):
    box = call("GET", f"{stack.api}/v1/dev/outbox")[1]
    return [m for m in box["email"] if m["to"] == [address]]


def test_a_new_office_is_set_up_through_screens_alone_and_forwards_a_case(stack, page):
    pg = page
    sign_in(stack, pg, "yonetici")
    pg.get_by_role("button", name="Yönetim").click()
    pg.wait_for_selector("#admin-office")
    pg.select_option("#admin-office", OFFICE)
    pg.wait_for_selector("#office-form h3:has-text('Beykoz')")

    # 1. the office's settings
    pg.get_by_label("Büronun e-posta adresi").fill("acikkapi@beykoz-kaymakamligi.example")
    pg.get_by_label("Büro Açık Kapı'ya katıldı (başvuru alır)").check()
    pg.get_by_role("button", name="Büro ayarlarını kaydet").click()
    _said(pg, "Büro ayarları kaydedildi")
    assert pg.get_by_label("Büro Açık Kapı'ya katıldı (başvuru alır)").is_checked()
    # a routing rule of the office's own: park and garden cases to the municipality alone
    pg.select_option("#r-subject", "park_bahce")
    pg.locator("#r-kinds").get_by_label("Belediye Başkanlığı").check()
    pg.get_by_role("button", name="Kuralı kaydet").click()
    _said(pg, "için kural kaydedildi")
    assert "Belediye Başkanlığı" in pg.locator("#routing-table tr[data-subject='park_bahce']").inner_text()
    shot(pg, "38-01-office-settings")

    # 2. the municipality's liaison address, then its confirmation by the mailbox's reader
    pg.get_by_role("button", name="Beykoz Belediye Başkanlığı: düzenle").click()
    pg.get_by_label("İrtibat e-posta adresi").fill(LIAISON)
    pg.get_by_role("button", name="Kurumu kaydet").click()
    _said(pg, "Beykoz Belediye Başkanlığı kaydedildi")
    row = pg.locator("tr[data-institution='34-beykoz.belediye']")
    assert row.locator(".state").inner_text() == "Onay bekliyor"
    row.get_by_role("button", name="Beykoz Belediye Başkanlığı: onay bağlantısı gönder").click()
    _said(pg, "onay bağlantısı gönderildi")
    [mail] = wait_for(lambda: _mails_to(stack, LIAISON))
    link = next(x for x in mail["links"] if "kurum.html#c=" in x)
    reader = pg.context.new_page()
    reader.goto(link)
    reader.get_by_role("button", name="Onaylıyorum").click()
    reader.wait_for_selector("#liaison-confirmed")
    assert LIAISON in reader.inner_text("#liaison-confirmed")
    shot(reader, "38-02-liaison-confirmed")
    reader.close()
    pg.select_option("#admin-office", OFFICE)          # read again
    wait_for(lambda: pg.locator("tr[data-institution='34-beykoz.belediye'] .state").inner_text() == "Onaylı")

    # 3. a clerk is invited
    invite = pg.locator("#invite-form")
    invite.get_by_label("Kullanıcı adı").fill("masa.beykoz")
    invite.get_by_label("Ad soyad").fill("Sevgi Çakır")
    invite.get_by_label("E-posta adresi").fill(CLERK_EMAIL)
    invite.get_by_role("button", name="Davet et").click()
    _said(pg, "masa.beykoz davet edildi")
    assert "Sevgi Çakır" in pg.inner_text("#staff-table")
    pg.get_by_role("button", name="Kurumlar").first.click()
    pg.wait_for_selector("#admin-audit")
    trail = pg.inner_text("#admin-audit")
    assert "Kurum listesi değişti" in trail and "İrtibat adresi onaylandı" in trail and "yonetici" in trail
    pg.get_by_role("button", name="masa.beykoz: denetim kaydı").click()
    wait_for(lambda: "Personel davet edildi" in pg.inner_text("#admin-audit"))
    shot(pg, "38-03-staff-and-audit")
    problems = audit(pg, "buro-admin")              # axe, and no page wider than the screen (360 px too)
    assert problems == [], problems
    [invitation] = wait_for(lambda: _mails_to(stack, CLERK_EMAIL))
    temporary = re.search(r"Geçici parola: (\S+)", invitation["body"]).group(1)
    pg.get_by_role("button", name="Çıkış").click()
    assert pg.locator("#view-admin *").count() == 0          # nothing of the admin's screens is left behind

    # 4. the clerk's first sign-in: a new password, then the authenticator app
    pg.get_by_label("Kullanıcı adı").fill("masa.beykoz")
    pg.get_by_label("Parola", exact=True).fill(temporary)
    pg.get_by_role("button", name="Giriş yap").click()
    pg.get_by_label("Yeni parola").fill("Beykoz-Masa-2026")
    pg.get_by_role("button", name="Parolayı kaydet").click()
    pg.wait_for_selector("#mfa-qr[src^='data:image/svg+xml']")
    assert pg.inner_text("#live") == ""                      # nothing of the admin's session is said to the clerk
    problems = audit(pg, "buro-authenticator-setup")
    assert problems == [], problems
    secret = pg.inner_text("#mfa-secret").strip()
    shot(pg, "38-04-authenticator-setup")
    from devstack.users import totp
    pg.get_by_label("Doğrulama kodu").fill(totp(secret))
    pg.get_by_role("button", name="Doğrula").click()
    pg.wait_for_selector("#view-queue")
    assert "Beykoz" in pg.inner_text("#who")

    # 5. a citizen applies to Beykoz; the clerk forwards to the confirmed municipality
    application = dict(VALID_APPLICATION, district=OFFICE, subject="Beykoz'da kaldırım çökmüş")
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", application)
    assert status == 201, receipt
    no = receipt["application_no"]
    pg.reload()
    pg.get_by_role("link", name=no).wait_for()
    pg.get_by_role("link", name=no).click()
    pg.wait_for_selector("#task-forward-form", state="attached")
    if not pg.is_visible("#forward-form"):
        pg.click("#task-forward-form > summary")
    pg.get_by_label("Beykoz Belediye Başkanlığı").check()
    pg.get_by_role("button", name="Yönlendir").click()
    wait_for(lambda: pg.inner_text("#case-status") == "Kuruma iletildi")
    shot(pg, "38-05-forwarded-by-the-new-clerk")
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    assert [m for m in mails if m["to"] == [LIAISON] and inst_link([m]).startswith(stack.web)]


def test_an_institution_answers_two_cases_from_its_inbox(stack, page):
    """Issue 38: the inbox link lists what the institution owes; it opens each case from
    there, answers it, and comes back to a shorter list."""
    from tests.e2e.helpers import staff_headers
    subjects = ["Gelen kutusu: kaldırım çökmüş", "Gelen kutusu: lamba yanmıyor"]
    nos = [call("POST", f"{stack.api}/v1/applications", dict(VALID_APPLICATION, subject=s))[1]["application_no"]
           for s in subjects]                                         # Maltepe forwards to its municipality at once
    for no in nos:
        wait_for(lambda no=no: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]))
    status, sent, _ = call("POST", f"{stack.api}/v1/staff/districts/34-maltepe/institutions/34-maltepe.belediye/"
                           "inbox-link", {"action": "rotate"}, staff_headers(stack, "sorumlu.maltepe"))
    assert status == 200, sent
    box = wait_for(lambda: [m for m in _mails_to(stack, "acikkapi.belediye@maltepe.example")
                            if "gelen kutusu" in m["subject"]])
    link = next(x for x in box[0]["links"] if "kurum.html#i=" in x)
    pg = page
    pg.goto(link)
    pg.wait_for_selector("#inbox")
    assert "#i=" not in pg.url                                        # the key leaves the address bar
    problems = audit(pg, "kurum-inbox")
    assert problems == [], problems
    shot(pg, "38-06-inbox")
    for no in nos:
        pg.get_by_role("link", name=no).click()
        pg.wait_for_selector("#answer-form")
        pg.get_by_label("Önerilen sonuç").select_option("positive")
        pg.get_by_label("Cevap metni").fill("Ekip yönlendirildi; iş bu hafta tamamlanacak.")
        pg.get_by_label("Cevaplayanın adı soyadı").fill("Mehmet Demir")
        pg.get_by_label("Unvanı").fill("Fen İşleri Müdürü")
        pg.get_by_role("button", name="Cevabı gönder").click()
        wait_for(lambda: pg.inner_text("#assignment-status") == "Cevaplandı")
        pg.get_by_role("link", name="← Gelen kutusuna dön").click()
        pg.wait_for_selector("#inbox-title")
        wait_for(lambda no=no: no not in pg.inner_text("#case"))
    assert all(no not in pg.inner_text("#case") for no in nos)
    shot(pg, "38-07-inbox-answered")


def test_an_institution_that_answered_is_not_told_of_a_draft_when_the_case_has_closed(stack, page):
    """Issue 41 item 8: after the case closed, the institution page told someone who had
    already answered that "the answer you typed is kept in this tab"."""
    from tests.e2e.helpers import staff_headers
    no = call("POST", f"{stack.api}/v1/applications", dict(VALID_APPLICATION, subject="Kapanan başvuru"))[1][
        "application_no"]
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    link = inst_link(mails)
    token = link.split("#t=", 1)[1]
    answer = {"text": "Ekip gönderildi, onarım yapıldı.", "outcome": "positive", "responder_name": "Mehmet Demir",
              "responder_title": "Fen İşleri Müdürü"}
    assert call("POST", f"{stack.api}/v1/institution/answer", answer, {"X-Link-Token": token})[0] == 200
    desk = staff_headers(stack, "masa.maltepe")
    case = call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1]
    status, body, _ = call("POST", f"{stack.api}/v1/staff/cases/{no}/conclude",
                           {"outcome": "positive", "answer": "Kaldırım onarıldı; gerekçeli cevabımız budur.",
                            "version": case["version"]}, desk)
    assert status == 200, body
    page.goto(link)
    _said(page, "kullanılamaz")
    assert "saklanmaktadır" not in page.inner_text("#live")
