"""Issue 41, done when: on a 360 px phone, in Turkish, English and Arabic (right to left), a
citizen chooses the language, files an application with two photos and a neighbourhood
offline, sees it sent once the connection returns, downloads the PDF receipt, verifies the
receipt on dogrula.html, signs in by phone and adds a reply without the access code. In
English and Arabic no Turkish is left on the screen but names (places, offices) and the
office's binding notice; axe finds nothing serious in any of these states."""
from __future__ import annotations

import os
import re

import pytest

from tests.e2e.helpers import call, own_phone, staff_headers, track, wait_for
from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser import ARTIFACTS, shot

pytestmark = pytest.mark.e2e

TURKISH_LETTERS = re.compile("[çğışöüÇĞİŞÖÜâ]")
ARABIC = re.compile("[\u0600-\u06FF]")
SWITCH = {"en": "English", "ar": "العربية"}
EXPECT = {   # a few texts each language must show where the person looks
    "tr": {"valid": "Makbuz geçerli", "apply": "Başvuru yap"},
    "en": {"valid": "The receipt is valid", "apply": "Apply"},
    "ar": {"valid": "الإيصال صالح", "apply": "تقديم طلب"},
}

# The visible text of the page, without what is a name or the citizen's own words
# (translate="no"), the office's binding Turkish notice (lang="tr") and the place pickers.
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.data.trim()) continue;
    if (el.closest('[translate="no"], [lang="tr"], script, style, #province, #district, #neighbourhood')) continue;
    if (!el.checkVisibility({ checkVisibilityCSS: true })) continue;
    out.push(n.data.trim());
  }
  for (const a of document.querySelectorAll("[aria-label], [placeholder], img[alt], [data-label]")) {
    if (a.closest('[translate="no"], [lang="tr"]')) continue;
    for (const k of ["aria-label", "placeholder", "alt", "data-label"]) if (a.getAttribute(k)) out.push(a.getAttribute(k));
  }
  return out;
}"""


def names(stack) -> set[str]:
    """Proper names a translated page keeps: the places and offices of the catalogue."""
    cat = call("GET", f"{stack.api}/v1/catalog")[1]
    found = {"Açık Kapı", "Türkiye", "İstanbul", "KVKK", "e-Devlet", "Kızılay Mahallesi"}
    for p in cat["provinces"]:
        found |= {p["name"]} | {d["name"] for d in p["districts"]} | {o["name"] for o in p["offices"]}
    return found


def left_in_turkish(pg, lang, allowed) -> list[str]:
    """What is still Turkish on screen (an empty list in Turkish, where all of it may be)."""
    if lang == "tr":
        return []
    left = []
    for text in pg.evaluate(VISIBLE_TEXT):
        rest = text
        for name in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(name, "")
        rest = re.sub(r"\(ç\)|5/2-ç", "", rest)          # the law's own article numbering
        if TURKISH_LETTERS.search(rest):
            left.append(text)
    return left


def check_state(pg, lang, allowed, name, problems):
    # the page declares its language once its texts are in it (web/js/i18n.js)
    wait_for(lambda: pg.evaluate("document.documentElement.lang") == lang)
    assert pg.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    if lang == "ar":
        assert ARABIC.search(pg.inner_text("h1")), name
    left = left_in_turkish(pg, lang, allowed)
    assert left == [], f"{name}: still in Turkish: {left[:5]}"
    shot(pg, f"lang-{lang}-{name}")
    problems += audit(pg, f"lang-{lang}-{name}")


@pytest.mark.parametrize("lang", ["tr", "en", "ar"])
def test_the_phone_journey_in_three_languages(stack, browser, lang):
    from tests.unit.test_citizen_photos import jpeg_with_gps
    allowed, problems = names(stack), []
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="tr-TR", accept_downloads=True,
                                  has_touch=True, is_mobile=True)
    pg = context.new_page()
    # the language is chosen once, on any page, and remembered
    pg.goto(f"{stack.web}/index.html")
    if lang != "tr":
        pg.get_by_role("button", name=SWITCH[lang]).click()
        # lang is set once the page's texts are translated, not before (web/js/i18n.js)
        wait_for(lambda: pg.evaluate("document.documentElement.lang") == lang)
    wait_for(lambda: pg.evaluate("!!document.querySelector('.lang-switch')"))
    assert pg.get_attribute(f".lang-switch button[lang={lang}]", "aria-pressed") == "true"
    assert EXPECT[lang]["apply"] in pg.inner_text("nav.main")
    check_state(pg, lang, allowed, "home", problems)

    # the form page, installed for offline use
    pg.goto(f"{stack.web}/basvuru.html")
    pg.evaluate("navigator.serviceWorker.ready.then(() => true)")
    pg.reload()
    wait_for(lambda: pg.evaluate("!!navigator.serviceWorker.controller"))
    pg.check("#kvkk-ack")
    pg.click("#kvkk-continue")
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    subject = f"Kaldırım çökmüş {lang} {os.getpid()}"
    pg.select_option("#type", "sikayet")
    pg.select_option("#heading", "yerel_yonetimler")
    pg.select_option("#category", "yol_kaldirim")
    pg.select_option("#province", "06")
    pg.select_option("#district", "06-cankaya")
    pg.wait_for_selector("#neighbourhood option[value='Kızılay Mahallesi']", state="attached")
    pg.select_option("#neighbourhood", "Kızılay Mahallesi")      # by keyboard or screen reader: a native select
    pg.fill("#street", "Atatürk Bulvarı No 10")
    pg.fill("#subject", subject)
    pg.fill("#description", "Bulvar üzerinde kaldırım çöktü, yayalar yola iniyor.")
    pg.fill("#national_id", "10000000146")
    phone = own_phone()
    pg.fill("#phone", phone)
    pg.fill("#first_name", "Ayşe")
    pg.fill("#last_name", "Yılmaz")
    pg.fill("#address", "Atatürk Bulvarı No:10 Çankaya / Ankara")
    photos = []
    for i in range(2):
        path = ARTIFACTS / f"lang-{lang}-photo-{i}.jpg"
        path.write_bytes(jpeg_with_gps())
        photos.append(str(path))
    pg.set_input_files("#form-photo-file", photos)
    pg.wait_for_selector("#form-photos li:nth-child(2) img")
    check_state(pg, lang, allowed, "form", problems)

    # offline, then online: sent once, with both photos
    context.set_offline(True)
    pg.click("#submit")
    pg.wait_for_selector("#pending:not(.hidden)")
    check_state(pg, lang, allowed, "pending", problems)
    context.set_offline(False)
    pg.wait_for_selector("#receipt:not(.hidden)", timeout=30000)
    wait_for(lambda: re.search(r"\b2\b", pg.inner_text("#r-files") or "") and pg.is_visible("#r-files"), timeout=30)
    no, code = pg.inner_text("#r-no").strip(), pg.inner_text("#r-code").strip()
    view = track(stack, {"application_no": no, "access_code": code})
    assert view["subject"] == subject and len(view["attachments"]) == 2
    desk = staff_headers(stack, "masa.cankaya")
    case = wait_for(lambda: (c := call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1])["status"]
                    in ("in_review", "forwarded") and c, timeout=30)          # routed
    assert len(case["citizen_attachments"]) == 2
    assert case["place"] == {"neighbourhood": "Kızılay Mahallesi", "street": "Atatürk Bulvarı No 10"}
    check_state(pg, lang, allowed, "receipt", problems)

    # the PDF receipt: the official record, with the number and the code
    with pg.expect_download() as download:
        pg.click("#pdf-receipt")
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(str(download.value.path())).pages)
    assert no in text and code in text

    # verified on dogrula.html from the receipt's own link
    pg.click("#r-verify-link")
    pg.wait_for_selector("#result:not(.hidden)")
    assert pg.inner_text("#result-heading") == EXPECT[lang]["valid"] and pg.inner_text("#v-no") == no
    check_state(pg, lang, allowed, "verified", problems)

    # the office asks for more; she signs in by phone and replies, with no access code
    assert call("POST", f"{stack.api}/v1/staff/cases/{no}/request-info",
                {"message": "Hangi kavşağa yakın?", "version": case["version"]}, desk)[0] == 200
    allowed.add("Hangi kavşağa yakın?")          # the office's own words stay as it wrote them
    pg.goto(f"{stack.web}/basvurularim.html")
    pg.fill("#national_id", "10000000146")
    pg.fill("#phone", phone)
    pg.click("#otp-request button[type=submit]")
    pg.wait_for_selector("#otp-verify:not(.hidden)")
    digits = re.sub(r"\D", "", phone)[1:]

    def sms_code():
        box = call("GET", f"{stack.api}/v1/dev/outbox")[1]
        found = [m for m in box["sms"] if m["to"] == f"+90{digits}" and "doğrulama kodunuz" in m["body"]]
        return found and re.search(r"\b(\d{6})\b", found[-1]["body"]).group(1)
    pg.fill("#code", wait_for(sms_code, timeout=20))
    pg.click("#otp-verify button[type=submit]")
    pg.wait_for_selector("#mine-table")
    check_state(pg, lang, allowed, "my-applications", problems)
    pg.click(f"#mine-table a:text-is('{no}')")
    pg.wait_for_selector("#reply-text")
    assert not pg.is_visible("#code")                                     # no access-code field
    pg.fill("#reply-text", "Kızılay kavşağının hemen yanında.")
    pg.click("#reply-form button[type=submit]")
    wait_for(lambda: track(stack, {"application_no": no, "access_code": code})["status"] != "awaiting_applicant",
             timeout=20)
    check_state(pg, lang, allowed, "replied", problems)
    assert problems == [], problems
    context.close()


def test_a_page_without_its_dictionary_stays_turkish_and_says_so(stack, browser):
    """English chosen, but the dictionary cannot be loaded (offline before it was ever cached):
    the page is Turkish, so it must say lang="tr" and run left to right, or a screen reader
    reads Turkish with an English voice."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="tr-TR",
                                  service_workers="block")
    context.route("**/i18n/*.json", lambda route: route.abort())
    pg = context.new_page()
    pg.goto(f"{stack.web}/index.html?lang=en")
    wait_for(lambda: pg.evaluate("!!document.querySelector('.lang-switch')"))
    # the switch remembers the choice, the page keeps its own language
    assert pg.get_attribute(".lang-switch button[lang=en]", "aria-pressed") == "true"
    # settled: the failed load declared the page Turkish, left to right
    wait_for(lambda: pg.evaluate("document.documentElement.dir") == "ltr")
    assert pg.evaluate("document.documentElement.lang") == "tr"
    assert EXPECT["tr"]["apply"] in pg.inner_text("nav.main")
    context.close()
