"""`wintertrack store`: archive round trip, verify (healthy and altered), refusals. Real SQLite
files and the command run as a process. Run with -s to see the figures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from projections.digest import log_digest
from tests.support.store_ops import PROGRAMME, figures, store_cli, winter


def test_export_then_import_reproduces_the_log(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path}/winter.db"
    side = winter(source)
    expected = log_digest(side.app.recorder)
    side.close()
    archive = tmp_path / "winter-2022-23.jsonl"
    exported = store_cli("export", str(archive), "--store", source)
    assert exported.returncode == 0, exported.stderr
    out = figures(exported.stdout, "export")
    assert (out["events"], out["digest"]) == (expected.events, expected.hex)
    lines = archive.read_text().splitlines()
    assert json.loads(lines[0]) == {"format": "wintertrack-archive", "version": 1}
    event = json.loads(lines[1])
    assert set(event) == {
        "position",
        "topic",
        "aggregate_id",
        "aggregate_version",
        "timestamp",
        "data",
    }
    assert event["data"]["code"] == PROGRAMME  # decoded JSON, not bytes
    assert json.loads(lines[-1])["digest"] == expected.hex

    target = f"sqlite:///{tmp_path}/imported.db"
    imported = store_cli("import", str(archive), "--to", target)
    assert imported.returncode == 0, imported.stderr
    assert figures(imported.stdout, "import")["digest"] == expected.hex
    assert "wintertrack projections rebuild" in imported.stdout
    query = "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
    with (
        sqlite3.connect(tmp_path / "winter.db") as a,
        sqlite3.connect(tmp_path / "imported.db") as b,
    ):
        assert a.execute(query).fetchall() == b.execute(query).fetchall()  # the same bytes

    again = store_cli("import", str(archive), "--to", target)
    assert again.returncode == 2 and "already holds" in again.stderr
    assert "Traceback" not in again.stderr
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-1]) + "\n")
    refused = store_cli("import", str(cut), "--to", f"sqlite:///{tmp_path}/cut.db")
    assert refused.returncode == 2 and "no end line" in refused.stderr
    missing = store_cli("import", str(tmp_path / "nope.jsonl"), "--to", target)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def _alter_an_october_report(db: Path) -> int:
    """Changes the beds-equivalent stored in one October daily report; returns its position."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT rowid, state FROM stored_events"
            " WHERE topic = 'wintertrack:DailyReport.DailyFiguresReported' ORDER BY rowid"
        ).fetchall()
        for position, state in rows:
            data = json.loads(state)
            if data["on"]["_data_"].startswith("2022-10-1") and data.get("beds_equivalent"):
                data["beds_equivalent"]["_data_"] = "99.9"
                altered = json.dumps(data, separators=(",", ":")).encode()
                conn.execute(
                    "UPDATE stored_events SET state = ? WHERE rowid = ?", (altered, position)
                )
                return int(position)
    raise AssertionError("no October report with beds-equivalent")


def test_verify_passes_then_names_the_altered_event_and_the_revisions_it_changes(
    tmp_path: Path,
) -> None:
    store = f"sqlite:///{tmp_path}/winter.db"
    winter(store).close()
    healthy = store_cli("verify", "--store", store)
    print(healthy.stdout)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "digests recorded at submission: 3; return revisions replayed: 3" in healthy.stdout
    assert "verify: OK" in healthy.stdout

    position = _alter_an_october_report(tmp_path / "winter.db")
    altered = store_cli("verify", "--store", store)
    print(altered.stdout)
    assert altered.returncode == 1
    assert "verify: FAILED" in altered.stdout
    assert f"first differing event: position {position} (" in altered.stdout
    differs = [line for line in altered.stdout.splitlines() if line.startswith("return differs")]
    # October's revision changes, and November's two with it: their trajectory carries October.
    assert len(differs) == 3, differs
    assert differs[0].startswith(f"return differs: {PROGRAMME} 2022-10 revision 1 ")
    assert [d.split(" revision ")[0][-7:] for d in differs] == ["2022-10", "2022-11", "2022-11"]
    assert all(d.endswith(f"first differing event: position {position:,}") for d in differs)
    assert "log changed: the digest at position" in altered.stdout
    assert "Traceback" not in altered.stderr


def test_restore_refuses_a_non_empty_store_and_copy_an_unrelated_target(tmp_path: Path) -> None:
    first, other = f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"
    winter(first).close()
    winter(other).close()  # the same winter written again: other timestamps, other log
    backup = tmp_path / "a.backup.db"
    made = store_cli("backup", str(backup), "--store", first)
    assert made.returncode == 0, made.stderr
    figures(made.stdout, "backup")
    refused = store_cli("restore", str(backup), "--to", other)
    assert refused.returncode == 2, refused.stdout
    assert "already holds" in refused.stderr and "empty store" in refused.stderr
    copied = store_cli("copy", "--from", first, "--to", other)
    assert copied.returncode == 2
    assert "not the first events of" in copied.stderr and "Traceback" not in copied.stderr
    again = store_cli("backup", str(backup), "--store", first)
    assert again.returncode == 2 and "already exists" in again.stderr
    postgres = store_cli(
        "backup", str(tmp_path / "pg.db"), "--store", "postgresql://x@127.0.0.1:1/x"
    )
    assert postgres.returncode == 2 and "pg_dump" in postgres.stderr
    bad = store_cli("restore", str(tmp_path / "nope.db"), "--to", f"sqlite:///{tmp_path}/c.db")
    assert bad.returncode == 2 and "no such file" in bad.stderr
