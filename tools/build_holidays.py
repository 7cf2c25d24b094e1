"""Build chalicelib/data/holidays_tr.json: Turkey's public holidays (Law 2429, the
`public` category: full days only, no arife afternoons) for the years most deadlines fall
in, exactly as the pinned `holidays` package computes them.

    .venv/bin/python tools/build_holidays.py > chalicelib/data/holidays_tr.json

Why a file: loading the package's Turkish module and computing a year took 20-30 ms of a
cold start's first deadline, a tenth of a cold submit; reading a year from the file takes
well under a millisecond. The package stays the source: the calendar asks it for any year
outside the file, and tests/unit/test_calendar.py fails when the installed package answers
otherwise for any year in it (after an upgrade of `holidays`, run this again).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST, LAST = 2015, 2050


def table() -> dict:
    import holidays
    years = {str(y): sorted(d.isoformat() for d in holidays.Turkey(years=y, categories=("public",)))
             for y in range(FIRST, LAST + 1)}
    return {"source": f"holidays {holidays.__version__}, Turkey, categories=('public',)",
            "built_by": "tools/build_holidays.py", "years": years}


if __name__ == "__main__":
    json.dump(table(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
