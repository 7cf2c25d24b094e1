"""Repeat applications (Law 3071 art. 6: an office may set aside a repeated application
that was already answered). Pure.

An application is a possible repeat of an earlier one of the same applicant when both
are in the same district and category and their subjects and descriptions are alike.
Both are compared after a Turkish-aware normalisation (İ/ı, ğ, ş, ç, ö, ü folded, so that
a text typed without Turkish letters still matches):

* subjects with RapidFuzz's token-set ratio, the well-kept standard for fuzzy matching;
* descriptions by their resemblance (Jaccard similarity of word pairs), estimated from a
  bottom-k MinHash sketch kept with each case: the 16 smallest keyed digests of its word
  pairs. The sketch is what the applicant index carries, so the routing worker compares
  without reading (or decrypting) the earlier applications, and a digest tells nothing of
  the text without the key.

The clerk decides: merge, close as already answered, or dismiss the flag with a reason.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

THRESHOLD = 80        # token-set ratio, 0-100
SKETCH_SIZE = 16
ALIKE = 0.2           # descriptions this alike back a similar subject
SAME_STORY = 0.5      # descriptions this alike make a loosely similar subject (>= 50) enough
_FOLD = str.maketrans({"ı": "i", "ğ": "g", "ş": "s", "ç": "c", "ö": "o", "ü": "u", "â": "a", "î": "i", "û": "u"})


@dataclass(frozen=True)
class ApplicantRow:
    """One of an applicant's applications as the applicant index keeps it: only what the
    case was filed with, never its status (a status change must not rewrite the index),
    never personal data."""
    application_no: str
    type: str
    category: str
    district: str
    province: str
    subject: str
    received_at: datetime
    text_sketch: str | None = None
    office: str = ""                 # the office that handles it (who may read it)

    def __post_init__(self) -> None:
        if not self.office:
            object.__setattr__(self, "office", self.district)


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


def sketch(text: str, digest) -> str | None:
    """The bottom-k sketch of a text's word pairs (single words for a one-word text):
    `digest(shingle) -> hex` is a keyed hash; None for an empty text."""
    words = normalise(text).split()
    shingles = {" ".join(words[i:i + 2]) for i in range(len(words) - 1)} or set(words)
    if not shingles:
        return None
    return " ".join(sorted({digest(s) for s in shingles})[:SKETCH_SIZE])


def resemblance(a: str | None, b: str | None) -> float | None:
    """Estimated Jaccard similarity of two sketched texts, 0-1; None if one has no sketch."""
    if not a or not b:
        return None
    sa, sb = set(a.split()), set(b.split())
    bottom = sorted(sa | sb)[:SKETCH_SIZE]
    return sum(1 for h in bottom if h in sa and h in sb) / len(bottom)


def score_pair(subject_a: str, subject_b: str, sketch_a: str | None, sketch_b: str | None) -> float | None:
    """0-100 when the two are alike enough to flag, else None. Without a sketch on either
    side (an application older than sketches) the subject decides alone."""
    subject = similarity(subject_a, subject_b)
    text = resemblance(sketch_a, sketch_b)
    if text is None:
        return subject if subject >= THRESHOLD else None
    if (subject >= THRESHOLD and text >= ALIKE) or (subject >= 50 and text >= SAME_STORY):
        return round((subject + 100 * text) / 2, 1)
    return None


def find_repeat(case, earlier: list[ApplicantRow]) -> tuple[ApplicantRow, float] | None:
    """The most alike earlier application of the same applicant, district and category
    (received before this one), with its score; None when none is alike enough."""
    best: tuple[ApplicantRow, float] | None = None
    for other in earlier:
        if other.application_no == case.application_no or other.received_at >= case.received_at:
            continue
        if other.district != case.district or other.category != case.category:
            continue
        score = score_pair(case.subject, other.subject, getattr(case, "text_sketch", None),
                           getattr(other, "text_sketch", None))
        if score is not None and (best is None or score > best[1]):
            best = (other, score)
    return best
