"""The national institution registry (issue 37): the standard institutions of every place,
and the CSV it is exported and imported in. On the fakes."""
from __future__ import annotations

from chalicelib.domain import registry as R
from chalicelib.domain.catalog import catalog
from chalicelib.services import registry


def test_every_place_has_its_standard_institutions_with_official_names_and_no_address():
    cat = catalog()
    total = 0
    for code, d in cat.districts.items():
        province = next(p for p in cat.provinces if p["code"] == d.province)
        got = R.standard_institutions(code, d.name, d.province_name, province["code"] in
                                      {p["code"] for p in cat.provinces if not any(x["code"].endswith("-merkez")
                                                                                   for x in p["districts"])})
        assert got and all(i.kind in cat.institution_kinds and not i.confirmed and i.liaison_email is None
                           for i in got), code
        assert len({i.id for i in got}) == len(got) and all(i.id.startswith(code + ".") for i in got)
        total += len(got)
    assert 12_000 <= total <= 16_000                         # the registry's size: about 15,000 institutions
    aladag = {i.kind: i.name for i in R.standard_institutions("01-aladag", "Aladağ", "Adana", True)}
    assert aladag["belediye"] == "Aladağ Belediye Başkanlığı" and aladag["savcilik"] == "Aladağ Cumhuriyet Başsavcılığı"
    assert aladag["jandarma"] == "Aladağ İlçe Jandarma Komutanlığı" and "sgk" not in aladag
    merkez = {i.kind: i.name for i in R.standard_institutions("02-merkez", "Merkez", "Adıyaman", False)}
    assert merkez["belediye"] == "Adıyaman Belediye Başkanlığı"            # the central district's is the province's
    assert merkez["egitim"] == "Adıyaman Merkez İlçe Milli Eğitim Müdürlüğü"
    istanbul = {i.kind: i.name for i in R.standard_institutions("34-il", "İl geneli", "İstanbul", True)}
    assert istanbul["belediye"] == "İstanbul Büyükşehir Belediye Başkanlığı"
    assert istanbul["sgk"] == "İstanbul Sosyal Güvenlik İl Müdürlüğü" and "tapu" not in istanbul


HEADER = "district,id,kind,name,liaison_email,confirmed,detsis,send_method,endpoint,sla_days,active\n"


def test_every_error_names_its_line_and_column_and_nothing_is_written(p):
    text = HEADER + (
        "01-aladag,01-aladag.belediye,belediye,Aladağ Belediye Başkanlığı,yazi@aladag.bel.tr,1,12345,email_link,,,1\n"
        "99-yok,99-yok.belediye,belediye,Yok Belediyesi,,0,,email_link,,,1\n"
        "01-aladag,01-aladag.tapu,ucak,Aladağ Tapu,değil-eposta,evet,12x,fax,,99,belki\n"
        "01-aladag,01-aladag.belediye,belediye,İkinci kez,,0,,email_link,,,1\n"
        "01-aladag,01-aladag.emniyet,emniyet,Aladağ İlçe Emniyet Müdürlüğü,,1,,email_link,,,1\n")
    report = registry.import_csv(p, text, actor="op", apply=True)
    where = {(e.line, e.column) for e in report.errors}
    assert {(3, "district"), (4, "kind"), (4, "liaison_email"), (4, "detsis"), (4, "send_method"), (4, "sla_days"),
            (4, "active"), (5, "id"), (6, "confirmed")} <= where
    assert all(str(e).startswith(f"satır {e.line}, sütun {e.column}: ") for e in report.errors)
    assert p.reference.district("01-aladag") is None and report.applied == 0
    missing = registry.import_csv(p, "district,id,name\n", actor="op", apply=True)
    assert [(e.line, e.column) for e in missing.errors] == [(1, "kind")]


def test_a_dry_run_says_what_changes_and_an_import_twice_changes_nothing_the_second_time(p):
    exported = registry.export(p, ["01-aladag"])
    assert exported.startswith("\ufeff" + HEADER) and "Aladağ Belediye Başkanlığı" in exported
    assert registry.import_csv(p, exported, actor="op", apply=True).plan.empty     # the standard rows as they are
    lines = exported.splitlines()
    edited = [lines[0], *(l.replace(",,0,", ",yazi@aladag.bel.tr,1,") if ".belediye," in l else l
                          for l in lines[1:] if ".tapu," not in l),
              "01-aladag,01-aladag.sydv2,sosyal_yardim,Aladağ SYDV Şubesi,sydv@aladag.example,1,,email_link,,,1"]
    text = "\n".join(edited) + "\n"
    dry = registry.import_csv(p, text, actor="op", apply=False)
    assert [i.id for _, i in dry.plan.added] == ["01-aladag.sydv2"]
    assert [a.id for _, _, a in dry.plan.changed] == ["01-aladag.belediye"]
    assert [i.id for _, i in dry.plan.disabled] == ["01-aladag.tapu"]               # left out of the file
    printed = "\n".join(dry.lines())
    assert "eklenecek 1, değişecek 1, devre dışı kalacak 1" in printed and "confirmed False → True" in printed
    assert p.reference.district("01-aladag") is None                                  # a dry run writes nothing
    done = registry.import_csv(p, text, actor="op", apply=True)
    assert done.applied == 1
    stored = p.reference.district("01-aladag")
    assert stored.by_id("01-aladag.belediye").confirmed and not stored.by_id("01-aladag.tapu").active
    assert stored.by_id("01-aladag.sydv2").liaison_email == "sydv@aladag.example"
    [entry] = [e for e in p.audit.entries if e.subject == "DISTRICT-01-aladag"]
    assert entry.action == "registry_import" and entry.detail == {
        "added": ["01-aladag.sydv2"], "changed": ["01-aladag.belediye"], "disabled": ["01-aladag.tapu"]}
    again = registry.import_csv(p, text, actor="op", apply=True)
    assert again.plan.empty and again.applied == 0 and p.reference.district("01-aladag").version == stored.version
    assert registry.import_csv(p, registry.export(p, ["01-aladag"]), actor="op", apply=True).plan.empty  # round trip


def test_an_exported_name_that_looks_like_a_formula_is_neutralised(p):
    from chalicelib.domain.assignment import DistrictSettings, Institution
    p.reference.save_district(DistrictSettings("01-aladag", [Institution(
        "01-aladag.belediye", "belediye", '=HYPERLINK("http://x.example","Tıkla")', "b@aladag.example")]))
    import csv
    import io
    [row] = list(csv.DictReader(io.StringIO(registry.export(p, ["01-aladag"]).removeprefix("\ufeff"))))
    assert row["name"] == '\'=HYPERLINK("http://x.example","Tıkla")'          # a spreadsheet shows it, never runs it
