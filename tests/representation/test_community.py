"""The community beside the workforce: population and workforce shares entered, imported
from a CSV with a preview of each line, exported safely, and shown area by area with the gap."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.representation.community import community_rows, towns_by_gap
from app.representation.models import PopulationShare, WorkforceShare
from tests.factories import Factory
from tests.forms import csrf_of, form_errors, post, says, sign_in

ASIAN = "Asian or Asian British"


def _add(client: TestClient, headers: dict[str, str], kind: str, **body: Any) -> Any:
    made = client.post(f"/api/v1/{kind}-shares", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return made.json()


def test_community_rows_put_each_groups_shares_side_by_side(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("coordinator")
    _add(
        client,
        headers,
        "population",
        area="Blackburn",
        group=ASIAN,
        share_percent=35.4,
        year=2021,
        source="Census",
    )
    _add(client, headers, "population", area="Blackburn", group=ASIAN, share_percent=30.0, year=2011)
    _add(client, headers, "population", area="", group=ASIAN, share_percent=9.8, year=2021)
    _add(client, headers, "population", area="Nelson", group=ASIAN, share_percent=40.1, year=2021)
    _add(client, headers, "workforce", area="Blackburn", group=ASIAN, count=24, total=260, as_of="2026-11-01")
    _add(client, headers, "workforce", area="", group=ASIAN, count=62, total=1250, as_of="2026-11-01")
    _add(client, headers, "workforce", area="Nelson", group=ASIAN, count=7, total=95, as_of="2026-11-01")

    rows = client.get("/api/v1/community", headers=headers).json()["items"]

    assert [(r["area"], r["community_percent"], r["workforce_percent"], r["gap_points"]) for r in rows] == [
        ("", 9.8, 5.0, 4.8),
        ("Blackburn", 35.4, 9.2, 26.2),  # the 2021 figure, not 2011's
        ("Nelson", 40.1, 7.4, 32.7),
    ]
    assert [r.area for r in towns_by_gap(community_rows(db))] == ["Nelson", "Blackburn"]
    sign_in(client, make.user("coordinator"))
    page = client.get("/plan/community")
    says(
        page,
        '<h2 id="area-1">The force area</h2>',
        "26.2 points short",
        "(24 of 260)",
        'role="img"',
        "Sources: Census",
    )


def test_a_share_that_cannot_be_right_is_refused(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("admin")
    _add(client, headers, "population", area="Burnley", group=ASIAN, share_percent=13.7, year=2021)

    twice = client.post(
        "/api/v1/population-shares",
        json={"area": "Burnley", "group": ASIAN, "share_percent": 14, "year": 2021},
        headers=headers,
    )
    over = client.post(
        "/api/v1/population-shares",
        json={"group": ASIAN, "share_percent": 101, "year": 2021},
        headers=headers,
    )
    more = client.post(
        "/api/v1/workforce-shares",
        json={"group": ASIAN, "count": 30, "total": 20, "as_of": "2026-11-01"},
        headers=headers,
    )

    assert twice.status_code == 409 and "Burnley already has a figure" in twice.json()["detail"]
    assert over.json()["errors"] == [
        {"field": "share_percent", "message": "must be a number between 0 and 100"}
    ]
    assert more.json()["errors"] == [
        {"field": "count", "message": "must be no more than the total workforce"}
    ]
    workforce = _add(client, headers, "workforce", group=ASIAN, count=10, total=20, as_of="2026-11-01")
    patched = client.patch(f"/api/v1/workforce-shares/{workforce['id']}", json={"count": 21}, headers=headers)
    assert patched.status_code == 422
    assert len(db.exec(select(PopulationShare)).all()) == 1


def test_import_previews_each_line_then_adds_and_updates(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("coordinator")
    _add(client, headers, "population", area="Darwen", group=ASIAN, share_percent=8.0, year=2021)
    sign_in(client, make.user("coordinator"))
    text = (
        "area,group,share_percent,year,source\n"
        f"force area,{ASIAN},9.8,2021,Census\n"
        f"Darwen,{ASIAN},8.4,2021,Census\n"
        f"Bacup,{ASIAN},lots,2021,Census\n"
        f"Bacup,{ASIAN},3.1,1700,Census\n"
        f"Darwen,{ASIAN},8.5,2021,Census\n"
    )

    preview = post(client, "/plan/community/import", {"kind": "population", "csv_text": text})

    says(
        preview,
        "What the file would do",
        "Share_percent: must be a number",
        "Year: must be a whole number between 1,800 and 2,200",
    )
    assert "The same area, group and date as line 3" in preview.text
    assert db.exec(select(PopulationShare).where(PopulationShare.area == "")).all() == []
    sha = preview.text.split('name="sha256" value="', 1)[1].split('"', 1)[0]
    encoded = preview.text.split('name="csv" value="', 1)[1].split('"', 1)[0]
    applied = post(
        client, "/plan/community/import/apply", {"kind": "population", "csv": encoded, "sha256": sha}
    )
    assert applied.status_code == 303
    db.expire_all()
    shares = {(s.area, s.share_percent) for s in db.exec(select(PopulationShare)).all()}
    assert shares == {("", 9.8), ("Darwen", 8.4)}

    header_only = post(client, "/plan/community/import", {"kind": "workforce", "csv_text": "area,group\n"})
    assert form_errors(header_only) == {
        "file": "The first line must name the columns area, group, count, total, as_of, source; "
        "missing: as_of, count, total"
    }


def test_export_cannot_run_formulas_and_imports_again(client: TestClient, make: Factory, db: Session) -> None:
    headers = make.headers("coordinator")
    _add(
        client,
        headers,
        "workforce",
        area="Nelson",
        group='=HYPERLINK("x")',
        count=7,
        total=95,
        as_of="2026-11-01",
    )
    sign_in(client, make.user("coordinator"))

    exported = client.get("/plan/community/workforce.csv")

    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows == [
        ["area", "group", "count", "total", "as_of", "source"],
        ["Nelson", '\'=HYPERLINK("x")', "7", "95", "2026-11-01", ""],
    ]
    again = post(
        client,
        "/plan/community/import",
        {"kind": "workforce", "csv_text": exported.content.decode("utf-8-sig")},
    )
    says(again, "Unchanged")
    assert client.get("/plan/community/other.csv").status_code == 404


def test_figures_are_changed_and_removed_on_their_pages(
    client: TestClient, make: Factory, db: Session
) -> None:
    sign_in(client, make.user("coordinator"))
    refused = post(
        client,
        "/plan/community/workforce/new",
        {"group": ASIAN, "count": "5", "total": "4", "as_of": "2026-11-01"},
    )
    assert form_errors(refused) == {"count": "The count must be no more than the total workforce"}
    assert (
        post(
            client,
            "/plan/community/workforce/new",
            {"group": ASIAN, "count": "3", "total": "4", "as_of": "2026-11-01"},
        ).status_code
        == 303
    )
    share = db.exec(select(WorkforceShare)).one()
    changed = post(
        client,
        f"/plan/community/workforce/{share.id}/edit",
        {"area": "Bacup", "group": ASIAN, "count": "2", "total": "4", "as_of": "2026-11-01", "revision": "0"},
    )
    assert changed.status_code == 303
    says(client.get("/plan/community/figures"), "Bacup")
    assert post(client, f"/plan/community/workforce/{share.id}/remove").status_code == 303
    db.expire_all()
    assert db.exec(select(WorkforceShare)).all() == []
    assert csrf_of(client, "/plan/community")


def test_api_import_previews_then_imports_only_what_was_previewed(
    client: TestClient, make: Factory, db: Session
) -> None:
    headers = make.headers("coordinator")
    text = (
        f"area,group,count,total,as_of\nBlackburn,{ASIAN},24,260,2026-11-01\nNelson,{ASIAN},9,5,2026-11-01\n"
    )

    preview = client.post(
        "/api/v1/community/import/preview", json={"kind": "workforce", "csv": text}, headers=headers
    )

    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["counts"] == {"add": 1, "update": 0, "unchanged": 0, "error": 1}
    assert body["lines"][1] == {
        "number": 3,
        "action": "error",
        "errors": ["count: must be no more than the total workforce"],
        "values": {"area": "Nelson", "group": ASIAN, "count": "9", "total": "5", "as_of": "2026-11-01"},
    }
    assert db.exec(select(WorkforceShare)).all() == []
    unsure = client.post("/api/v1/community/import", json={"kind": "workforce", "csv": text}, headers=headers)
    changed = client.post(
        "/api/v1/community/import",
        json={
            "kind": "workforce",
            "csv": text + f"Bacup,{ASIAN},1,45,2026-11-01\n",
            "sha256": body["sha256"],
        },
        headers=headers,
    )
    assert unsure.status_code == 422 and changed.status_code == 409
    done = client.post(
        "/api/v1/community/import",
        json={"kind": "workforce", "csv": text, "sha256": body["sha256"]},
        headers=headers,
    )
    assert done.status_code == 200 and done.json()["counts"]["add"] == 1
    db.expire_all()
    assert [(s.area, s.count) for s in db.exec(select(WorkforceShare)).all()] == [("Blackburn", 24)]
    broken = client.post(
        "/api/v1/community/import/preview", json={"kind": "workforce", "csv": "name\nx\n"}, headers=headers
    )
    assert broken.status_code == 422 and "missing: as_of, count, group, total" in broken.json()["detail"]


def test_planning_figures_are_for_planners_only(client: TestClient, make: Factory) -> None:
    for role in ("staff", "partner"):
        headers = make.headers(role)
        assert client.get("/api/v1/community", headers=headers).status_code == 403
        assert client.get("/api/v1/before-after", headers=headers).status_code == 403
    sign_in(client, make.user("partner"))
    for path in ("/plan/community", "/plan/community/figures", "/plan/before-after"):
        assert client.get(path).status_code == 403, path
    sign_in(client, make.user("coordinator"))
    says(client.get("/plan/community"), "No figures yet.")
