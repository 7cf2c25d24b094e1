"""The local stack's outbox across saves: the saver writes the merged view (live and
restored) back to disk, so merging it again must not repeat what is still live."""
from devstack.outbox import merge


def _mail(i):
    return {"id": f"m{i}", "to": ["x@example.org"], "subject": f"s{i}", "body": "", "links": []}


def test_repeated_saves_keep_each_message_once():
    before_restart = {"email": [_mail(1)], "sms": [{"id": "s1", "to": "+905", "body": "b", "links": []}]}
    saved = before_restart
    live = {"email": [_mail(3), _mail(2)], "sms": []}
    for _ in range(5):                       # the saver runs again and again while the stack is up
        saved = merge(live, saved)
    assert [m["id"] for m in saved["email"]] == ["m3", "m2", "m1"]     # newest (live) first, then the restored
    assert [m["id"] for m in saved["sms"]] == ["s1"]


def test_a_new_message_after_a_save_appears_once():
    saved = merge({"email": [_mail(1)], "sms": []}, {"email": [], "sms": []})
    grown = merge({"email": [_mail(2), _mail(1)], "sms": []}, saved)
    assert [m["id"] for m in grown["email"]] == ["m2", "m1"]
