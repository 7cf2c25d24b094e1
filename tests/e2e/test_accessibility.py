"""Accessibility as a test (issue 18): axe-core (bundled by axe-playwright-python) on every
page and state of the journey, in Debian's Chromium. Any serious or critical violation
fails, colour contrast included (WCAG AA). Each state is also saved at 1366 and 360 px in
test-artifacts/a11y-*.png."""
from __future__ import annotations

import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, has_inst_link, inst_link, outbox_for, own_phone, wait_for
from tests.e2e.test_browser import ARTIFACTS, fill_application

pytestmark = pytest.mark.e2e
WIDTHS = (1366, 360)


def audit(pg, name) -> list[str]:
    """Serious and critical violations of the page as it is now, and its screenshots."""
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(pg, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                          "wcag21aa", "best-practice"]}})
    found = [f"{name}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
             for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    if pg.locator("#live").count():       # one live region, always in the page (never display:none)
        assert pg.evaluate("getComputedStyle(document.getElementById('live')).display") != "none", name
    size = pg.viewport_size
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 900})
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name}: wider than {width}"
        pg.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{width}.png"), full_page=True)
    pg.set_viewport_size(size)
    return found


def test_no_page_or_state_has_a_serious_or_critical_violation(stack, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="tr-TR")
    pg = ctx.new_page()
    problems: list[str] = []

    for page_name in ("index", "izle", "basvurularim", "istatistik", "offline"):
        pg.goto(f"{stack.web}/{page_name}.html")
        pg.wait_for_load_state("networkidle")
        problems += audit(pg, page_name)

    pg.goto(f"{stack.web}/basvuru.html")
    problems += audit(pg, "basvuru-notice")
    pg.set_viewport_size({"width": 360, "height": 900})      # the notice is read in the page, not in a box
    assert pg.evaluate("(() => { const k = document.querySelector('.kvkk'); "
                       "return k.scrollHeight <= k.clientHeight + 1; })()")
    pg.set_viewport_size({"width": 1366, "height": 900})
    pg.get_by_label("Aydınlatma metnini okudum").check()
    pg.get_by_role("button", name="Devam et").click()
    pg.wait_for_selector("#type option[value=sikayet]", state="attached")
    pg.get_by_role("button", name="Başvuruyu gönder").click()         # everything empty
    pg.wait_for_selector(".field-error")
    problems += audit(pg, "basvuru-errors")
    pg.goto(f"{stack.web}/basvuru.html")
    fill_application(pg)
    problems += audit(pg, "basvuru-form")
    pg.get_by_role("button", name="Başvuruyu gönder").click()
    pg.wait_for_selector("#receipt:not(.hidden)")
    problems += audit(pg, "basvuru-receipt")
    no, code = pg.inner_text("#r-no").strip(), pg.inner_text("#r-code").strip()

    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.fill("#code", code)
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#result:not(.hidden)")
    assert pg.evaluate("document.activeElement.id") == "result-heading"     # the focus moves to the result
    assert pg.get_attribute("#result", "aria-live") is None                 # and it is not read out whole
    problems += audit(pg, "izle-result")

    pg.goto(f"{stack.web}/anket.html#t=broken")
    pg.wait_for_load_state("networkidle")
    problems += audit(pg, "anket-invalid")

    maltepe = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)[1]["application_no"]
    _, mails = wait_for(lambda: (o := outbox_for(stack, maltepe))[1] and has_inst_link(o[1]) and o)
    pg.goto(inst_link(mails))
    pg.wait_for_selector("#answer-form")
    assert pg.locator("header nav.main").count() == 0                     # nor for an institution
    problems += audit(pg, "kurum")

    pg.goto(f"{stack.web}/buro.html")
    problems += audit(pg, "buro-login")
    pg.get_by_label("Kullanıcı adı").fill("sorumlu.maltepe")
    pg.get_by_label("Parola", exact=True).fill("AcikKapi-Demo-2026")
    pg.get_by_role("button", name="Giriş yap").click()
    pg.get_by_label("Doğrulama kodu").wait_for()
    problems += audit(pg, "buro-two-factor")
    pg.get_by_label("Doğrulama kodu").fill(stack.totp())
    pg.get_by_role("button", name="Doğrula").click()
    pg.get_by_role("link", name=maltepe).wait_for()
    problems += audit(pg, "buro-queue")
    pg.set_viewport_size({"width": 360, "height": 900})      # every column on screen, the days left too
    days = pg.locator("#queue-table tr", has_text=maltepe).locator(".days").first.bounding_box()
    assert days and days["x"] + days["width"] <= 360, days
    pg.set_viewport_size({"width": 1366, "height": 900})
    assert pg.locator("header nav.main").count() == 0                     # no citizen menu for staff
    assert "Maltepe Kaymakamlığı" in pg.inner_text("#who") and "34-maltepe" not in pg.inner_text("#who")
    pg.get_by_role("link", name=maltepe).click()
    pg.wait_for_selector("#case-title")
    problems += audit(pg, "buro-case")
    for view, name in (("Gösterge paneli", "dashboard"), ("Masadan başvuru", "intake"), ("KVKK", "kvkk")):
        pg.get_by_role("button", name=view).click()
        pg.wait_for_load_state("networkidle")
        problems += audit(pg, f"buro-{name}")
    ctx.close()
    assert problems == [], "\n".join(problems)


def test_the_concluded_tracking_page_survey_and_objection_have_no_serious_violation(stack, browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="tr-TR")
    pg = ctx.new_page()
    problems: list[str] = []
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications",
                              dict(VALID_APPLICATION, applicant=dict(VALID_APPLICATION["applicant"], phone=own_phone())))
    no = receipt["application_no"]
    _, mails = wait_for(lambda: (o := outbox_for(stack, no))[1] and has_inst_link(o[1]) and o)
    token = {"X-Link-Token": inst_link(mails).split("#t=", 1)[1]}
    assert call("POST", f"{stack.api}/v1/institution/answer", {"text": "Onarım ekibi bu hafta çalışacak.",
                "outcome": "positive", "responder_name": "Mehmet Demir", "responder_title": "Müdür"}, token)[0] == 200
    from tests.e2e.test_office_journey import sign_in as staff_token
    desk = staff_token(stack, "masa.maltepe")
    case = wait_for(lambda: (c := call("GET", f"{stack.api}/v1/staff/cases/{no}", headers=desk)[1])["status"]
                    == "institution_answered" and c)
    assert call("POST", f"{stack.api}/v1/staff/cases/{no}/conclude",
                {"outcome": "positive", "answer": "Kaldırım onarıldı; ilginiz için teşekkür ederiz.",
                 "version": case["version"]}, desk)[0] == 200
    pg.goto(f"{stack.web}/izle.html#no={no}")
    pg.fill("#code", receipt["access_code"])
    pg.get_by_role("button", name="Sorgula").click()
    pg.wait_for_selector("#final-answer")
    pg.wait_for_selector("#survey-form")
    problems += audit(pg, "izle-concluded")
    pg.get_by_label("İtiraz gerekçeniz").fill("Kaldırım hâlâ onarılmadı, itiraz ediyorum.")
    pg.get_by_role("button", name="İtiraz et").click()
    pg.get_by_role("button", name="Evet, itiraz et").wait_for()
    problems += audit(pg, "izle-objection-confirm")
    sms = wait_for(lambda: [m for m in outbox_for(stack, no)[0] if "anket" in m["body"].lower() or "#t=" in m["body"]])
    survey_link = next((link for m in sms for link in m.get("links", []) if "anket.html" in link), None)
    if survey_link:
        pg.goto(survey_link)
        pg.wait_for_load_state("networkidle")
        problems += audit(pg, "anket")
    ctx.close()
    assert survey_link, "the concluded SMS carries the survey link"
    assert problems == [], "\n".join(problems)


def _ratio(a, b) -> float:
    def lum(rgb):
        def ch(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b_ = (ch(x) for x in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    import re
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


def test_the_focus_ring_the_survey_options_and_a_disabled_button_reach_3_to_1(stack, browser):
    """What axe does not measure: non-text contrast (WCAG 1.4.11) of the focus ring on the red
    header, the survey's option borders and a disabled button."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="tr-TR")
    pg = ctx.new_page()
    pg.goto(f"{stack.web}/index.html")
    pg.focus("header.site nav a")
    outline = pg.evaluate("getComputedStyle(document.activeElement).outlineColor")
    header = pg.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert _ratio(_rgb(outline), _rgb(header)) >= 3, (outline, header)
    pg.evaluate("""() => { const m = document.querySelector('main .wrap');
      m.insertAdjacentHTML('beforeend', '<div class="stars"><label><input type="radio">1</label></div>'
        + '<button id="off" disabled>Gönder</button>'); }""")
    border = pg.evaluate("getComputedStyle(document.querySelector('.stars label')).borderTopColor")
    assert _ratio(_rgb(border), (255, 255, 255)) >= 3, border
    assert pg.evaluate("getComputedStyle(document.getElementById('off')).opacity") == "1"   # no faded 1.57:1
    off = pg.evaluate("getComputedStyle(document.getElementById('off')).borderTopColor")
    page_bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _ratio(_rgb(off), _rgb(page_bg)) >= 3, off
    text = pg.evaluate("getComputedStyle(document.getElementById('off')).color")
    bg = pg.evaluate("getComputedStyle(document.getElementById('off')).backgroundColor")
    assert _ratio(_rgb(text), _rgb(bg)) >= 4.5, (text, bg)
    ctx.close()


def test_a_deployment_names_its_own_office_through_config_js(stack, browser, monkeypatch):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="tr-TR")
    pg = ctx.new_page()
    pg.route("**/config.js", lambda route: route.fulfill(
        content_type="application/javascript",
        body='window.ACIKKAPI_CONFIG = {"apiBase": "%s", "officeName": "Deneme Valiliği", '
             '"officeSubtitle": "Açık Kapı Bürosu"};' % stack.api))
    pg.goto(f"{stack.web}/index.html")
    wait_for(lambda: pg.evaluate("document.querySelector('.brand').textContent.includes('Deneme Valiliği')"))
    assert "Açık Kapı Bürosu" in pg.inner_text(".brand")
    ctx.close()
    from devstack.web import config_js
    monkeypatch.setenv("OFFICE_NAME", "Deneme Valiliği")
    assert '"officeName": "Deneme Valiliği"' in config_js("http://x").decode("utf-8")
