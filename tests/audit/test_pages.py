"""The audit trail page: who changed what, and one record's history."""

from fastapi.testclient import TestClient

from tests.factories import Factory
from tests.forms import post, sign_in


def test_audit_view_shows_who_changed_an_event(client: TestClient, make: Factory) -> None:
    event = make.event(title="Audited")
    coordinator = make.user("coordinator", email="sgt@muster.test")
    sign_in(client, coordinator)
    post(client, f"/plan/events/{event.id}/status", {"status": "confirmed"})
    page = client.get(f"/plan/audit?record_type=event&record_id={event.id}")
    assert "sgt@muster.test" in page.text
    assert "event &#39;Audited&#39; draft → confirmed" in page.text
    assert "<code>status</code>: <del>draft</del> → <ins>confirmed</ins>" in page.text
