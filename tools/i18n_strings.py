"""The Turkish texts of the citizen pages that web/i18n/<lang>.json must translate: every
text node and readable attribute of the citizen pages, every text the citizen pages' scripts
write (a template literal's values become {v1}, {v2}: a pattern), and the catalogue's names.

    python tools/i18n_strings.py            # the texts, one JSON list
    python tools/i18n_strings.py --missing en   # those web/i18n/en.json lacks

tests/unit/test_web_i18n.py fails on any text a dictionary lacks."""
from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
PAGES = ["index", "basvuru", "izle", "basvurularim", "istatistik", "dogrula", "anket", "offline"]
SCRIPTS = ["api", "basvuru", "basvurularim", "catalog", "dogrula", "formfiles", "istatistik", "izle", "outbox",
           "photos", "pwa", "receipt", "survey", "anket"]
ATTRS = ("placeholder", "aria-label", "alt", "title")
LETTER = re.compile(r"[A-Za-zÇĞİÖŞÜçğıöşü]")
TURKISH = re.compile(r"[ÇĞİÖŞÜçğıöşüâ]|\b(ve|bir|ile|için|ya da|bu|yok|var|Başvuru|başvuru|giriniz|ediniz)\b"
                     r"|^[A-ZÇĞİÖŞÜ][a-zçğıöşü]+( [a-zçğıöşü]+)*[.]?$")     # "Olumlu", "Kurum cevap verdi"


def norm(text: str) -> str:
    return " ".join(text.split())


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0          # inside script/style/textarea or translate="no"
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("meta", "input", "img", "link", "br", "hr", "source"):   # void elements
            if not self._skip:
                self._attrs(tag, a)
            return
        skip = tag in ("script", "style", "textarea") or a.get("translate") == "no"
        self._stack.append(skip)
        self._skip += skip
        if not self._skip:
            self._attrs(tag, a)

    def _attrs(self, tag, a):
        for name in ATTRS:
            if a.get(name) and LETTER.search(a[name]):
                self.texts.append(norm(a[name]))
        if tag == "meta" and a.get("name") == "description":
            self.texts.append(norm(a["content"]))

    def handle_endtag(self, tag):
        if tag in ("meta", "input", "img", "link", "br", "hr", "source") or not self._stack:
            return
        self._skip -= self._stack.pop()

    def handle_data(self, data):
        text = norm(data)
        if text and not self._skip and LETTER.search(text):
            self.texts.append(text)


def page_texts() -> list[str]:
    out: list[str] = []
    for name in PAGES:
        p = _Page()
        p.feed((WEB / f"{name}.html").read_text("utf-8"))
        out += p.texts
    return out


_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`')


def script_texts() -> list[str]:
    """Literals a script may show: with a Turkish letter or word, not code (no path, no selector)."""
    out: list[str] = []
    for name in SCRIPTS:
        src = (WEB / "js" / f"{name}.js").read_text("utf-8")
        src = re.sub(r"^\s*//.*$", "", src, flags=re.M)          # comments are not shown
        literals = list(_LITERAL.finditer(src))
        for m in literals:      # the strings inside a template's ${...} are texts of their own
            if m.group(2):
                for expr in re.findall(r"\$\{((?:[^{}]|\{[^{}]*\})*)\}", m.group(2)):
                    literals += list(_LITERAL.finditer(expr))
        for m in literals:
            plain, template = m.group(1), m.group(2)
            text = plain if plain is not None else template
            if text is None or not TURKISH.search(text):
                continue
            if template is not None:
                n = iter(range(1, 100))
                text = re.sub(r"\$\{(?:[^{}]|\{[^{}]*\})*\}", lambda _: f"{{v{next(n)}}}", text)
            text = text.replace('\\"', '"').replace("\\n", " ")
            if LETTER.search(text):
                out.append(norm(text))
    return out


def catalogue_texts() -> list[str]:
    data = ROOT / "chalicelib" / "data"
    types = json.loads((data / "types.json").read_text("utf-8"))["types"]
    cats = json.loads((data / "categories.json").read_text("utf-8"))["headings"]
    out = [t["name"] for t in types] + [h["name"] for h in cats] + [s["name"] for h in cats for s in h["subjects"]]
    sys.path.insert(0, str(ROOT))
    from chalicelib.domain.case import HISTORY_NOTES, PUBLIC_NOTES, RECEIVED_BY
    from chalicelib.domain.offices import PROVINCE_WIDE_NAME
    # what the tracking page shows of a case's public history, as the server writes it
    notes = [*PUBLIC_NOTES.values(), *map(as_pattern, HISTORY_NOTES.values()), *RECEIVED_BY.values()]
    return out + [PROVINCE_WIDE_NAME, *notes]


def as_pattern(template: str) -> str:
    """A server template's {names} as the dictionaries' {v1}, {v2}, in order."""
    n = iter(range(1, 100))
    return re.sub(r"\{\w+\}", lambda _: f"{{v{next(n)}}}", template)


def all_texts() -> list[str]:
    seen: dict[str, None] = {}
    for text in page_texts() + script_texts() + catalogue_texts():
        seen.setdefault(norm(text), None)
    return list(seen)


def missing(lang: str) -> list[str]:
    d = json.loads((WEB / "i18n" / f"{lang}.json").read_text("utf-8"))
    have = {norm(k) for k in d["texts"]} | {norm(k) for k in d.get("patterns", {})}
    return [t for t in all_texts() if t not in have]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--missing":
        json.dump(missing(sys.argv[2]), sys.stdout, ensure_ascii=False, indent=1)
    else:
        json.dump(all_texts(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
