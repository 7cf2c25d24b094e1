"""Repeat applications (Law 3071 art. 6: an office may set aside a repeated application
that was already answered). Pure.

An application is a possible repeat of an earlier one of the same applicant when both
are in the same district and category and their subjects are alike. Subjects are
compared after a Turkish-aware normalisation (İ/ı, ğ, ş, ç, ö, ü folded, so that a
subject typed without Turkish letters still matches) with RapidFuzz's token-set ratio,
the well-kept standard for fuzzy string matching. The clerk decides: merge, close as
already answered, or dismiss the flag with a reason.
"""
from __future__ import annotations

import re
import unicodedata

THRESHOLD = 80        # token-set ratio, 0-100
_FOLD = str.maketrans({"ı": "i", "ğ": "g", "ş": "s", "ç": "c", "ö": "o", "ü": "u", "â": "a", "î": "i", "û": "u"})


def normalise(text: str) -> str:
    """Lower case the Turkish way (İ → i, I → ı), fold the Turkish letters, keep words."""
    text = unicodedata.normalize("NFC", text or "").replace("İ", "i").replace("I", "ı").lower()
    text = text.translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", text))


def similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz
    return fuzz.token_set_ratio(normalise(a), normalise(b))


def find_repeat(case, earlier: list) -> tuple[object, float] | None:
    """The most alike earlier application of the same applicant, district and category
    (received before this one), with its score; None below the threshold."""
    best = None
    for other in earlier:
        if other.application_no == case.application_no or other.received_at >= case.received_at:
            continue
        if other.district != case.district or other.category != case.category:
            continue
        score = similarity(case.subject, other.subject)
        if score >= THRESHOLD and (best is None or score > best[1]):
            best = (other, score)
    return best
