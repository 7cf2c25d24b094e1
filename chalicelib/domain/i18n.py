"""The API's messages in the citizen's language: Turkish, English or Arabic.

Every message is written in Turkish where it is raised; the Turkish text is its key (as
gettext's msgid) in chalicelib/data/messages/<language>.json. A request that prefers English
or Arabic (`Accept-Language`) gets the same error codes and fields, with the messages in
that language; a message with no translation stays Turkish rather than go missing. The
citizen pages send the language the person chose (web/js/i18n.js).

Loaded only when a request asks for another language and fails: Turkish costs nothing."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("tr", "en", "ar")
DEFAULT = "tr"
_DATA = Path(__file__).resolve().parent.parent / "data" / "messages"


def negotiate(header: str | None) -> str:
    """The language of an Accept-Language header (RFC 9110 §12.5.4): the first of ours by
    quality, ties in the order given; Turkish when none is ours. Bounded: a stranger's
    header of any length is read up to 512 characters, 20 entries."""
    best, best_q = DEFAULT, -1.0
    for part in (header or "")[:512].split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        q = 1.0
        m = re.search(r"q\s*=\s*([^\s;,]*)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:     # a malformed weight: the entry is ignored
                continue
        if primary in LANGUAGES and q > best_q and q > 0:
            best, best_q = primary, q
    return best


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, Any]:
    if lang == DEFAULT or lang not in LANGUAGES:
        return {}
    return json.loads((_DATA / f"{lang}.json").read_text("utf-8"))


def text(lang: str, turkish: str, code: str | None = None) -> str:
    """One whole message: its translation, else the translation of its code (for a message
    written at run time), else the Turkish."""
    cat = catalogue(lang)
    if not cat:
        return turkish
    return cat["messages"].get(turkish) or (cat["codes"].get(code) if code else None) or turkish


def field_message(lang: str, template: str, ctx: dict, code: str) -> str | None:
    """A field error's message from its Turkish template and its context (label, limits,
    the valid choices); None when the language has no such template."""
    cat = catalogue(lang)
    translated = cat.get("messages", {}).get(template) or cat.get("codes", {}).get(code)
    if not translated:
        return None
    values = dict(ctx)
    values["label"] = cat["labels"].get(ctx.get("label", ""), ctx.get("label", ""))
    if "choices" in ctx:
        names = [cat["choices"].get(n, n) for n in ctx["choices"]]
        values["expected"] = names[0] if len(names) == 1 else ", ".join(names[:-1]) + cat["or"] + names[-1]
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return translated


def localise(body: dict, lang: str, sources: list | None = None) -> dict:
    """An error body (domain/errors.AppError.body) in `lang`: the headline and each field
    error. `sources` are a validation failure's (template, context) per error."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return body
    error = dict(body["error"])
    errors = body.get("errors")
    if errors is None:
        error["message"] = text(lang, error["message"], error.get("code"))
        return {**body, "error": error}
    # a field error rebuilt from its template where schemas.translate kept one; any other
    # (a file's check, a body that is no object) is translated whole
    kept: list[tuple[str, dict] | None] = list(sources or [])
    kept += [None] * (len(errors) - len(kept))
    errors = [dict(e, message=(field_message(lang, source[0], source[1], e["code"]) if source else None)
                   or text(lang, e["message"], e["code"]))
              for e, source in zip(errors, kept)]
    error["message"] = errors[0]["message"]
    return {**body, "error": error, "errors": errors}
