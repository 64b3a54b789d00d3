"""The ``muster`` command as a newcomer uses it (on its own SQLite file), and the demo force."""

import subprocess
import sys
from pathlib import Path


def _muster(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "MUSTER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MUSTER_SECRET_KEY": "x" * 40,
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
    )


def test_cli_upgrade_demo_user_and_token(tmp_path: Path) -> None:
    assert _muster(tmp_path, "db", "upgrade").returncode == 0
    demo = _muster(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "sergeant@muster.example" in demo.stdout
    again = _muster(tmp_path, "demo", "--if-empty")
    assert (again.returncode, "already has data" in again.stdout) == (0, True)
    refused = _muster(tmp_path, "demo")
    assert refused.returncode == 1
    created = _muster(
        tmp_path,
        "create-user",
        "--email",
        "new@example.org",
        "--role",
        "coordinator",
        "--password",
        "a long password",
    )
    assert created.returncode == 0, created.stderr
    token = _muster(tmp_path, "create-token", "--email", "new@example.org")
    last_line = token.stdout.strip().splitlines()[-1]
    assert last_line.startswith("mst_") and len(last_line) > 40


def test_cli_create_staff_user_without_person_fails_clearly(tmp_path: Path) -> None:
    _muster(tmp_path, "db", "upgrade")
    result = _muster(
        tmp_path,
        "create-user",
        "--email",
        "s@example.org",
        "--role",
        "staff",
        "--password",
        "a long password",
    )
    assert result.returncode == 1
    assert "a staff user must be linked to a person" in result.stderr


def test_demo_data_shows_upcoming_events_with_gaps(client, make, db) -> None:  # type: ignore[no-untyped-def]
    from app import demo
    from app.clock import utcnow
    from app.events import service as events

    demo.load(db)
    rows, _ = events.list_events(session=db, filters=events.EventFilters(start=utcnow()), limit=100, offset=0)
    states = events.staffing_states(session=db, events=rows)
    titles = [e.title for e in rows]
    assert sum("Jobcentre" in t or "drop-in" in t for t in titles) >= 7
    assert any(s.filled for s in states.values())
    assert any(not s.filled for s in states.values())
    assert "Become a special constable" in titles
