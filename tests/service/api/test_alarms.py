"""/api/alarms: list with filters and cursors, one alarm, snapshots, acknowledge."""

from __future__ import annotations

import queue

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api.services import ApiServices
from tests.service.api.conftest import T0, AddAlarm, auth, new_alarm

VIEW = auth("viewer")
OPERATE = auth("operator")


def ids(response_json: dict[str, object]) -> list[str]:
    items = response_json["items"]
    assert isinstance(items, list)
    return [item["id"] for item in items]


def test_list_newest_first_with_snapshot_links(client: TestClient, add_alarm: AddAlarm) -> None:
    old = add_alarm(raised_at=T0)
    new = add_alarm(raised_at=T0 + 10, snapshots=True)
    body = client.get("/api/alarms", headers=VIEW).json()
    assert ids(body) == [new.id, old.id] and body["next_cursor"] is None
    first = body["items"][0]
    assert first["snapshots"] == {
        "crop": f"/api/alarms/{new.id}/snapshots/crop",
        "frame": f"/api/alarms/{new.id}/snapshots/frame",
        "heatmap": None,
    }
    assert body["items"][1]["snapshots"] == {"crop": None, "frame": None, "heatmap": None}
    assert first["details"] == {"open_frames": 3, "margin": 0.25}
    assert "crop_snapshot" not in first  # file paths stay inside


def test_filters(client: TestClient, add_alarm: AddAlarm) -> None:
    a = add_alarm(station_id="st-1", lift="lift-1", raised_at=T0)
    b = add_alarm(station_id="st-2", lift="lift-2", raised_at=T0 + 60)
    c = add_alarm(type="camera_offline", station_id="st-2", lift="lift-2", raised_at=T0 + 120,
                  passage=None, frame=None, details={})  # fmt: skip
    client.post(f"/api/alarms/{b.id}/ack", headers=OPERATE)

    def listed(query: str) -> list[str]:
        response = client.get(f"/api/alarms?{query}", headers=VIEW)
        assert response.status_code == 200, response.text
        return ids(response.json())

    assert listed("station=st-2") == [c.id, b.id]
    assert listed("lift=lift-1") == [a.id]
    assert listed("type=camera_offline") == [c.id]
    assert listed("acknowledged=true") == [b.id]
    assert listed("acknowledged=false") == [c.id, a.id]
    assert listed(f"since={T0 + 60}") == [c.id, b.id]  # since inclusive
    assert listed(f"until={T0 + 60:.0f}") == [a.id]  # until exclusive
    assert listed("since=2026-01-02T10:01:00Z&until=2026-01-02T10:02:00") == [b.id]
    assert listed("since=2026-01-02T11:01:00%2B01:00") == [c.id, b.id]
    assert listed("station=st-2&type=bar_open_at_departure") == [b.id]


def test_cursor_pages_cover_everything_once(client: TestClient, add_alarm: AddAlarm) -> None:
    stored = [add_alarm(raised_at=T0 + k // 2) for k in range(7)]  # ties on raised_at
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(f"/api/alarms?{query}", headers=VIEW).json()
        seen += ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(r.id for r in stored) and len(seen) == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
     ("cursor=not-a-cursor", "cursor"), ("cursor=MHgxLjhwKzMwfC4uLy4u", "cursor"),
     ("type=fire", "type"), ("acknowledged=maybe", "acknowledged"),
     ("since=yesterday", "since"), ("until=nan", "until"),
     ("since=2026-01-02T10:00:00Z&until=2026-01-01", "until"), ("station=", "station")],
)  # fmt: skip
def test_bad_filters_are_422_naming_the_field(client: TestClient, query: str, field: str) -> None:
    response = client.get(f"/api/alarms?{query}", headers=VIEW)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(f"{field}: ")
    assert error["details"][0]["field"] == field


def test_one_alarm_and_unknown_ones(client: TestClient, add_alarm: AddAlarm) -> None:
    record = add_alarm(snapshots=True)
    body = client.get(f"/api/alarms/{record.id}", headers=VIEW).json()
    assert body["id"] == record.id and body["raised_at"] == T0 and body["passage"] == 3
    assert body["snapshots"]["crop"] == f"/api/alarms/{record.id}/snapshots/crop"
    missing = client.get("/api/alarms/" + "f" * 32, headers=VIEW)
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": f"no alarm {'f' * 32}"}}


@pytest.mark.parametrize(
    "alarm_id", ["xyz", "F" * 32, "0" * 31, "0" * 33, "....", "a..b", "stream2", "%00"]
)
def test_bad_ids_are_422(client: TestClient, alarm_id: str) -> None:
    for path in (f"/api/alarms/{alarm_id}", f"/api/alarms/{alarm_id}/snapshots/crop"):
        response = client.get(path, headers=VIEW)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["details"][0]["field"] == "alarm_id"
    response = client.post(f"/api/alarms/{alarm_id}/ack", headers=OPERATE)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path",
    ["/api/alarms/..%2F..%2Fetc", "/api/alarms/%2e%2e", "/api/alarms/%2e%2e/snapshots/crop",
     "/api/alarms/..%2F..%2Fetc%2Fpasswd/snapshots/crop",
     "/api/alarms/0123456789abcdef0123456789abcdef/snapshots/..%2F..%2Falarms.db",
     "/api/alarms/0123456789abcdef0123456789abcdef/snapshots/%2E%2E"],
)  # fmt: skip
def test_path_like_ids_reach_nothing(client: TestClient, path: str) -> None:
    response = client.get(path, headers=VIEW)
    assert response.status_code in (404, 422)
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error"}


def test_snapshot_download(client: TestClient, add_alarm: AddAlarm) -> None:
    record = add_alarm(snapshots=True)
    for kind, shape in (("crop", (200, 200, 3)), ("frame", (48, 64, 3))):
        response = client.get(f"/api/alarms/{record.id}/snapshots/{kind}", headers=VIEW)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        image = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape == shape
    assert client.get(f"/api/alarms/{record.id}/snapshots/crop").status_code == 401
    bad_kind = client.get(f"/api/alarms/{record.id}/snapshots/thumbnail", headers=VIEW)
    assert bad_kind.status_code == 422 and bad_kind.json()["error"]["details"][0]["field"] == "kind"


def test_snapshot_absent_or_missing_is_404(
    client: TestClient, add_alarm: AddAlarm, services: ApiServices
) -> None:
    without = add_alarm()
    response = client.get(f"/api/alarms/{without.id}/snapshots/frame", headers=VIEW)
    assert response.status_code == 404 and "no frame snapshot" in response.text
    record = add_alarm(snapshots=True)
    assert record.crop_snapshot is not None
    services.snapshots.path(record.crop_snapshot).unlink()
    response = client.get(f"/api/alarms/{record.id}/snapshots/crop", headers=VIEW)
    assert response.status_code == 404 and "missing" in response.text


def test_a_stored_path_outside_the_snapshots_is_never_served(
    client: TestClient, services: ApiServices
) -> None:
    """Even a corrupt record cannot make the API read a file outside the snapshot root."""
    (services.snapshots.root / "st-1").mkdir(parents=True)
    record = services.store.add(new_alarm(), "../alarms.db", "st-1/../../alarms.db")
    for kind in ("crop", "frame"):
        response = client.get(f"/api/alarms/{record.id}/snapshots/{kind}", headers=VIEW)
        assert response.status_code == 404, response.text


def test_acknowledge_records_who_when_and_note_and_publishes_once(
    client: TestClient, add_alarm: AddAlarm, services: ApiServices
) -> None:
    record = add_alarm()
    subscription = services.bus.subscribe()
    response = client.post(
        f"/api/alarms/{record.id}/ack", headers=OPERATE, json={"note": "bar closed by hand"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged"] is True and body["acknowledged_by"] == "op-1"
    assert body["acknowledged_at"] == T0 + 3600 and body["ack_note"] == "bar closed by hand"
    event = subscription.get(timeout=1)
    assert event.kind == "update" and event.record.id == record.id
    assert event.record.acknowledged_by == "op-1"
    stored = services.store.get(record.id)
    assert stored is not None and stored.ack_note == "bar closed by hand"

    again = client.post(f"/api/alarms/{record.id}/ack", headers=auth("admin"), json={"note": "x"})
    assert again.status_code == 200 and again.json() == body  # idempotent: the first one stays
    with pytest.raises(queue.Empty):
        subscription.get(timeout=0.2)  # and no second update


def test_acknowledge_without_a_body(client: TestClient, add_alarm: AddAlarm) -> None:
    record = add_alarm()
    response = client.post(f"/api/alarms/{record.id}/ack", headers=OPERATE)
    assert response.status_code == 200 and response.json()["ack_note"] is None


def test_acknowledge_errors(client: TestClient, add_alarm: AddAlarm) -> None:
    unknown = client.post("/api/alarms/" + "a" * 32 + "/ack", headers=OPERATE)
    assert unknown.status_code == 404
    record = add_alarm()
    url = f"/api/alarms/{record.id}/ack"
    extra = client.post(url, headers=OPERATE, json={"note": "x", "by": "someone-else"})
    assert extra.status_code == 422 and extra.json()["error"]["details"][0]["field"] == "by"
    long = client.post(url, headers=OPERATE, json={"note": "x" * 1001})
    assert long.status_code == 422 and long.json()["error"]["message"].startswith("note: ")
    broken = client.post(
        url, headers={**OPERATE, "Content-Type": "application/json"}, content=b"{not json"
    )
    assert broken.status_code == 422
    assert client.get(url, headers=OPERATE).status_code == 405
