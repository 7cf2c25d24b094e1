"""The README is true where a test can tell (issue 40)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tables(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def test_every_table_has_its_header_so_every_row_renders():
    """A paragraph in the middle of a table starts a block of rows without a header, which
    Markdown renders as text: the staff API table lost its last three rows that way."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in _tables(path.read_text("utf-8")):
            assert len(block) >= 2 and re.fullmatch(r"\|[\s:|-]+\|?", block[1].strip()), \
                f"{path.name}: a table without its header row and separator: {block[0][:80]}"


def test_the_sweep_examples_compute_their_dates_and_name_no_fixed_day():
    """The examples must work on the day they are read: no hard-coded --as-of date."""
    text = (ROOT / "README.md").read_text("utf-8")
    examples = [line for line in text.splitlines() if "devstack sweep" in line and "--as-of" in line]
    assert examples
    for line in examples:
        assert not re.search(r"--as-of \d{4}-\d{2}-\d{2}", line), line


def test_every_page_describes_itself_and_the_citizen_menu_has_no_staff_link():
    """Issue 41 item 7: no page had a meta description, and the staff console's link sat
    in the citizen's menu; it is in the footer now."""
    for path in sorted((ROOT / "web").glob("*.html")):
        text = path.read_text("utf-8")
        found = re.search(r'<meta name="description" content="([^"]{30,160})">', text)
        assert found, f"{path.name}: no meta description of 30 to 160 characters"
        menu = re.search(r'<nav class="main".*?</nav>', text, re.S)
        assert not menu or "buro.html" not in menu.group(0), f"{path.name}: the staff link is in the citizen menu"


def test_no_link_leads_nowhere_before_its_data_exists():
    """Issue 41 item 7: the statistics page's CSV link pointed to "#" until the first
    roll-up; it is hidden until there are figures to download."""
    for path in sorted((ROOT / "web").glob("*.html")):
        for tag in re.findall(r"<a\b[^>]*>", path.read_text("utf-8")):
            assert 'href="#"' not in tag, f"{path.name}: {tag}"
