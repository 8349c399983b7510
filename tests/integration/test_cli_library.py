"""The library from outside: `stories ...`, `export`, `import` run as the parent would, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest

from tale_desktop.services.backup import BACKUP_FORMAT
from tests.library_helpers import make_story

ROOT = Path(__file__).resolve().parents[2]
ORBI = "41f7b2c9-6e3d-4a80-9b5c-7d1e8a2f3c64"  # starter story whose text mentions comets


@pytest.fixture
def cli(tale_env):
    def run(*args: str, data_dir: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **tale_env, "PYTHONPATH": str(ROOT)}
        if data_dir:
            env["TALE_DATA_DIR"] = data_dir
        done = subprocess.run([sys.executable, "-m", "tale_desktop", *args], env=env, capture_output=True,
                              text=True, timeout=60)
        if ok:
            assert done.returncode == 0, done.stderr
        return done
    return run


def listed(cli, *args: str, **kw) -> list[str]:
    return [row["id"] for row in json.loads(cli("stories", "list", *args, "--json", **kw).stdout)]


def bad(cli, *args: str, **kw) -> str:
    done = cli(*args, ok=False, **kw)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("tale-desktop: ") and "Traceback" not in done.stderr
    return done.stderr


def test_rate_favourite_and_filters(cli):
    assert "from 1 to 10" in bad(cli, "stories", "rate", ORBI, "11")
    assert "from 1 to 10" in bad(cli, "stories", "rate", ORBI, "0")
    assert "whole number" in bad(cli, "stories", "rate", ORBI, "nine")
    assert listed(cli, "--min-rating", "9") == []
    cli("stories", "rate", ORBI, "9")
    assert listed(cli, "--min-rating", "9") == [ORBI]
    assert listed(cli, "--min-rating", "10") == []
    assert "--min-rating" in bad(cli, "stories", "list", "--min-rating", "11")


def test_favourite_status_and_show(cli):
    cli("stories", "rate", ORBI, "9")
    cli("stories", "favourite", ORBI[:8])  # a short id works too
    assert listed(cli, "--favourite") == [ORBI]
    cli("stories", "favourite", ORBI, "--off")
    assert listed(cli, "--favourite") == []
    assert "new, read, archived" in bad(cli, "stories", "status", ORBI, "finished")
    cli("stories", "status", ORBI, "archived")
    assert listed(cli, "--status", "archived") == [ORBI]
    assert ORBI in listed(cli, "--language", "en", "--sort", "rating")
    shown = json.loads(cli("stories", "show", ORBI, "--json").stdout)
    assert shown["rating"] == 9 and shown["status"] == "archived" and shown["word_count"] > 400


def test_search_finds_the_text_and_survives_fts_syntax(cli):
    assert listed(cli, "--search", "comets") == [ORBI]
    assert listed(cli, "--search", "фонарик") == ["c7e2d9a4-3b1f-4e58-8d6c-0a5f2b9e4c13"]
    for nasty in ['"', 'comets"', "comets*", "NEAR(comets", "-comets", '" * -', "comets:", "comets AND ("]:
        found = listed(cli, f"--search={nasty}")
        assert found in ([], [ORBI]), nasty


def test_delete_removes_from_listings(cli):
    assert ORBI in listed(cli)
    done = cli("stories", "delete", ORBI)
    assert ORBI in done.stdout
    assert ORBI not in listed(cli) and listed(cli, "--search", "comets") == []
    assert "No story" in bad(cli, "stories", "show", ORBI)
    assert "No story" in bad(cli, "stories", "delete", ORBI)


def test_delete_removes_the_story_files_though_nothing_narrated_or_drew(cli, tale_env):
    """The narrator and the illustrator are built on first use (issue #11); `stories delete` uses neither, yet the
    story's audio and picture folders must go with it."""
    data = Path(tale_env["TALE_DATA_DIR"])
    audio, pictures = data / "audio" / ORBI, data / "images" / ORBI
    for folder in (audio, pictures):
        folder.mkdir(parents=True)
        (folder / "kept-from-before.bin").write_bytes(b"\0" * 16)
    cli("stories", "delete", ORBI)
    assert not audio.exists() and not pictures.exists()


def test_export_md_pdf_epub(cli, tmp_path):
    md = Path(cli("export", ORBI, "--format", "md", "--out", str(tmp_path / "orbi.md")).stdout.strip())
    assert md.read_text(encoding="utf-8").startswith("# Orbi and the Comet Map")
    pdf = Path(cli("export", ORBI, "--format", "pdf", "--out", str(tmp_path / "orbi.pdf")).stdout.strip())
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(pdf).pages]
    assert "Orbi and the Comet Map" in pages[0]
    assert "Grandmother Tortoise, who lived under the old apple tree" in " ".join(pages[1:])
    epub = Path(cli("export", ORBI, "--format", "epub", "--out", str(tmp_path)).stdout.strip())
    with zipfile.ZipFile(epub) as book:
        assert book.namelist()[0] == "mimetype" and book.read("mimetype") == b"application/epub+zip"
        assert {"META-INF/container.xml", "OEBPS/package.opf", "OEBPS/nav.xhtml"} <= set(book.namelist())


def test_export_bad_paths_and_formats(cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert "does not exist" in bad(cli, "export", ORBI, "--format", "md", "--out", str(out / "no" / "x.md"))
    assert "Cannot write" in bad(cli, "export", ORBI, "--format", "pdf", "--out", "/proc/x.pdf")
    assert "No story" in bad(cli, "export", "deadbeef", "--format", "md", "--out", str(out / "x.md"))
    assert "--all" in bad(cli, "export", ORBI, "--format", "jsonl", "--out", str(out / "x.jsonl"))
    assert "does not exist" in bad(cli, "export", ORBI, "--format", "mp3", "--out", str(out / "no" / "x.mp3"))
    assert list(out.iterdir()) == []


def test_backup_round_trip_into_a_fresh_data_dir(cli, tmp_path):
    cli("children", "add", "Tom", "--age-band", "5-7", "--gender", "male", "--interests", "space")
    cli("stories", "rate", ORBI, "7")
    backup = tmp_path / "all.jsonl"
    cli("export", "--all", "--format", "jsonl", "--out", str(backup))
    before = listed(cli)
    fresh = str(tmp_path / "fresh")
    done = cli("import", str(backup), "--json", data_dir=fresh)
    assert json.loads(done.stdout)["bad_count"] == 0
    assert listed(cli, data_dir=fresh) == before
    assert listed(cli, "--min-rating", "7", data_dir=fresh) == [ORBI]
    assert "Tom" in cli("children", "list", data_dir=fresh).stdout
    again = json.loads(cli("import", str(backup), "--json", data_dir=fresh).stdout)
    assert all(c["added"] == c["updated"] == 0 for c in again["counts"].values())


def test_import_bad_files_exit_2_and_lose_nothing(cli, tmp_path):
    cli("stories", "rate", ORBI, "5")
    (tmp_path / "table.csv").write_text("id,title\n1,Dragon\n")
    assert "not a Tale Desktop backup" in bad(cli, "import", str(tmp_path / "table.csv"))
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({"format": BACKUP_FORMAT, "version": 99}) + "\n")
    assert "newer Tale Desktop" in bad(cli, "import", str(newer))
    assert "There is no file" in bad(cli, "import", str(tmp_path / "missing.jsonl"))

    fresh_story = make_story("Brand new tale", "about meteors")
    dup = tmp_path / "dup.jsonl"
    dup.write_text("\n".join([
        json.dumps({"format": BACKUP_FORMAT, "version": 1}),
        json.dumps({"kind": "story", "record": fresh_story.to_dict()}),
        json.dumps({"kind": "story", "record": {**fresh_story.to_dict(), "title": "Other"}}),
        "{broken",
    ]) + "\n")
    err = bad(cli, "import", str(dup))
    assert "line 3: duplicate story id" in err and "line 4: not valid JSON" in err
    assert listed(cli, "--search", "meteors") == [fresh_story.id]  # the good line went in
    assert listed(cli, "--min-rating", "5") == [ORBI]  # nothing lost


def test_larger_backup_imports_and_searches(cli, tmp_path):
    """Big enough to be read in a process of its own, spawned from ``python -m tale_desktop``."""
    from tale_desktop.services.backup import PROCESS_MIN_BYTES

    path = tmp_path / "big.jsonl"
    filler = " ".join(["The rain fell softly on the little house."] * 50)
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": BACKUP_FORMAT, "version": 1}) + "\n")
        for n in range(2000):
            story = make_story(f"Tale {n}", f"Story number {n} about {'comets' if n % 100 == 0 else 'rain'}. "
                                            + filler)
            out.write(json.dumps({"kind": "story", "record": story.to_dict()}) + "\n")
    assert path.stat().st_size >= PROCESS_MIN_BYTES
    done = json.loads(cli("import", str(path), "--json").stdout)
    assert done["counts"]["story"]["added"] == 2000
    assert len(listed(cli, "--search", "comets")) == 21  # 20 imported + the starter story
