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


def test_what_the_saver_has_leaves_moto_and_the_outbox_still_lists_it(aws):
    """moto kept every message it ever sent (81 MiB after 10,000 applications): once the
    saver has a message, the local server moves it to a compressed archive; the outbox view
    lists the live, the archived and the restored ones, newest first, each handed out once."""
    import boto3

    from devstack.outbox import Archive, collect, drain_sent
    ses = boto3.client("ses", region_name="eu-central-1")
    sns = boto3.client("sns", region_name="eu-central-1")
    ses.verify_email_identity(EmailAddress="acikkapi@example.org")

    def mail(i):
        return ses.send_email(Source="acikkapi@example.org", Destination={"ToAddresses": ["x@example.org"]},
                              Message={"Subject": {"Data": f"konu {i}"}, "Body": {"Text": {"Data": "gövde"}}}
                              )["MessageId"]

    sms = sns.publish(PhoneNumber="+905321234567", Message="Başvurunuz alındı.")["MessageId"]
    sent = [mail(i) for i in range(3)]
    archive = Archive({"email": [_mail(0)], "sms": []})          # restored from disk at start
    handed = drain_sent(archive)
    assert [m["id"] for m in handed["email"]] == sent and [m["id"] for m in handed["sms"]] == [sms]
    assert collect() == {"email": [], "sms": []}                   # moto holds none of them now
    newer = mail(3)
    view = merge(collect(), archive.view())
    assert [m["id"] for m in view["email"]] == [newer, *reversed(sent), "m0"]
    assert [m["subject"] for m in view["email"]][:2] == ["konu 3", "konu 2"]
    assert [m["id"] for m in view["sms"]] == [sms]
    assert [m["id"] for m in drain_sent(archive)["email"]] == [newer]          # only what is new
    assert drain_sent(archive) == {"email": [], "sms": []}
    assert [m["id"] for m in merge(collect(), archive.view())["email"]] == [newer, *reversed(sent), "m0"]
