"""`wintertrack store`: archive round trip, verify (healthy and altered), refusals. Real SQLite
files and the command run as a process. Run with -s to see the figures."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from projections.digest import LogDigest, log_digest
from tests.support.store_ops import PROGRAMME, figures, open_side, store_cli, winter
from wintertrack.demo import generate_winter
from wintertrack.store.archive import event_row
from wintertrack.store.engines import EventStore, StoreError


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


def _events_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE name = 'stored_events'")
        if not tables.fetchall():
            return 0
        return int(conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


def test_a_write_refused_mid_import_removes_every_event_written(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path}/winter.db"
    winter(source).close()
    store = EventStore(source)
    rows = list(store.rows())
    store.close()
    target = EventStore(f"sqlite:///{tmp_path}/target.db", create=True)
    try:
        refused = pytest.raises(StoreError, match=r"refused an event .*nothing was kept")
        with refused, target.emptied_on_failure():
            target.insert(rows[:1000])
            target.insert(rows[999:1500])  # position 1000 again: the store refuses it
        assert target.count() == 0
    finally:
        target.close()


def _archive_with_a_colliding_event(archive: Path, after: int) -> tuple[Path, int]:
    """The archive with event ``after + 1`` given the aggregate and version of the first event,
    its end line rewritten so the count and the digest still hold: a well-formed archive that
    no store can hold. Returns the file and the altered line's number."""
    lines = archive.read_text().splitlines()
    first = json.loads(lines[1])
    bad = json.loads(lines[after + 1])
    bad["aggregate_id"], bad["aggregate_version"] = first["aggregate_id"], 1
    lines[after + 1] = json.dumps(bad, separators=(",", ":"))
    done = LogDigest()
    for number, line in enumerate(lines[1:-1], start=2):
        done.add(event_row(archive, number, json.loads(line), done.position))
    lines[-1] = json.dumps(
        {"end": True, "events": done.events, "last_position": done.position, "digest": done.hex}
    )
    forged = archive.with_name("colliding.jsonl")
    forged.write_text("\n".join(lines) + "\n")
    return forged, after + 2


def test_import_of_an_archive_with_a_bad_event_after_5000_leaves_the_target_empty(
    tmp_path: Path,
) -> None:
    source = f"sqlite:///{tmp_path}/winter.db"
    winter(source, extra_programmes=2).close()
    archive = tmp_path / "winter.jsonl"
    assert store_cli("export", str(archive), "--store", source).returncode == 0
    events = len(archive.read_text().splitlines()) - 2
    assert events > 5_001
    forged, line = _archive_with_a_colliding_event(archive, 5_001)

    target = tmp_path / "target.db"
    refused = store_cli("import", str(forged), "--to", f"sqlite:///{target}")
    kept = _events_in(target)
    print(f"\n[import-bad-event] events={events} bad_line={line} exit={refused.returncode} {kept=}")
    assert refused.returncode == 2, refused.stderr
    assert f"line {line}:" in refused.stderr and "version 1" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert kept == 0
    # left empty, the target takes the genuine archive: no half-written store to clear first
    again = store_cli("import", str(archive), "--to", f"sqlite:///{target}")
    assert again.returncode == 0, again.stderr


def test_verify_names_an_event_altered_when_no_return_was_submitted_since(
    tmp_path: Path,
) -> None:
    store = f"sqlite:///{tmp_path}/winter.db"
    side = open_side(store)
    generate_winter(side.app, PROGRAMME, date(2023, 1, 15))  # no return submitted
    side.projector.run_once()
    side.close()
    healthy = store_cli("verify", "--store", store)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "digests recorded at submission: 0" in healthy.stdout

    position = _alter_an_october_report(tmp_path / "winter.db")
    altered = store_cli("verify", "--store", store)
    print(f"\n[verify-no-submission] altered={position} exit={altered.returncode}")
    print(altered.stdout)
    assert altered.returncode == 1
    assert "verify: FAILED" in altered.stdout
    assert "digests recorded at the projector's checkpoints: 1" in altered.stdout
    assert "recorded at a checkpoint" in altered.stdout
    assert f"first differing event: position {position} (" in altered.stdout
    assert "Traceback" not in altered.stderr

    # the views rebuilt from the altered log keep the checkpoint recorded before it was altered
    rebuilt = subprocess.run(
        [sys.executable, "-m", "wintertrack", "projections", "rebuild"],
        capture_output=True,
        text=True,
        env={**os.environ, "WINTERTRACK_STORE": store},
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = store_cli("verify", "--store", store)
    assert again.returncode == 1 and "recorded at a checkpoint" in again.stdout
    assert "an event after position 0 and at or before" in again.stdout
