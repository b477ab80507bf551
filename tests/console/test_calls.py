"""The calls list, call detail, recordings, flagging and the eval scenario export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from clinic.models import Call, CallOutcome
from console.calls import PAGE_SIZE
from evals.scenario import parse_scenario
from frontdesk.settings import Settings
from tests.console.builders import Turn, add_call, booking_call
from tests.console.conftest import csrf_token


def _rows(html: str) -> int:
    return html.count('class="row-link"')


def test_calls_list_shows_columns(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    booking_call(session_factory, patient_id=demo.established_patient.id, escalated=True)
    add_call(session_factory, from_number="+18025550999", reason="Office hours")
    page = desk_client.get("/console/calls")
    assert page.status_code == 200
    assert _rows(page.text) == 2
    assert "Margaret Chen" in page.text
    assert "(802) 555-0999" in page.text
    assert "Not verified" in page.text
    assert "Office hours" in page.text
    assert "1:35" in page.text  # 95 seconds
    assert "Escalated" in page.text


def test_calls_list_in_clinic_time(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    # 14:30 UTC is 9:30 AM in New York on this winter day.
    add_call(session_factory, started_at=datetime(2026, 1, 15, 14, 30, tzinfo=UTC))
    page = desk_client.get("/console/calls")
    assert "Jan 15" in page.text
    assert "9:30 AM" in page.text


def test_filter_today(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    add_call(session_factory, reason="Current call", started_at=datetime.now(UTC))
    add_call(session_factory, reason="Old call", started_at=datetime.now(UTC) - timedelta(days=3))
    page = desk_client.get("/console/calls?today=1")
    assert "Current call" in page.text
    assert "Old call" not in page.text


def test_filter_escalated(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    add_call(session_factory, reason="Handed over", escalated=True, outcome=CallOutcome.TRANSFERRED)
    add_call(session_factory, reason="Handled alone")
    page = desk_client.get("/console/calls?escalated=1")
    assert "Handed over" in page.text
    assert "Handled alone" not in page.text


def test_filter_unresolved(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    add_call(session_factory, reason="Message left", outcome=CallOutcome.MESSAGE_TAKEN)
    add_call(session_factory, reason="Line dropped", outcome=CallOutcome.DROPPED)
    add_call(session_factory, reason="All done", outcome=CallOutcome.RESOLVED)
    add_call(session_factory, reason="Still talking", seconds=None)
    page = desk_client.get("/console/calls?unresolved=1")
    assert "Message left" in page.text
    assert "Line dropped" in page.text
    assert "All done" not in page.text
    assert "Still talking" not in page.text


def test_filter_outcome(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    add_call(session_factory, reason="Emergency call", outcome=CallOutcome.EMERGENCY)
    add_call(session_factory, reason="Routine call")
    page = desk_client.get("/console/calls?outcome=emergency")
    assert "Emergency call" in page.text
    assert "Routine call" not in page.text
    # An unknown outcome is ignored rather than an error.
    assert _rows(desk_client.get("/console/calls?outcome=bogus").text) == 2


def test_filter_flagged(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    add_call(session_factory, reason="Bad booking", flagged=True, flag_note="wrong day")
    add_call(session_factory, reason="Good booking")
    page = desk_client.get("/console/calls?flagged=1")
    assert "Bad booking" in page.text
    assert "Good booking" not in page.text


def test_search_by_patient_name(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    booking_call(session_factory, patient_id=demo.established_patient.id, reason="Chen call")
    add_call(session_factory, patient_id=demo.new_patient.id, reason="Shah call")
    assert "Chen call" in desk_client.get("/console/calls?q=margaret+chen").text
    page = desk_client.get("/console/calls?q=CHEN")
    assert "Chen call" in page.text
    assert "Shah call" not in page.text
    assert _rows(desk_client.get("/console/calls?q=nobody").text) == 0


def test_search_by_number(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    add_call(session_factory, from_number="+18025550777", reason="Number call")
    add_call(session_factory, from_number="+18025550888", reason="Other call")
    page = desk_client.get("/console/calls?q=(802) 555-0777")
    assert "Number call" in page.text
    assert "Other call" not in page.text


def test_search_escapes_wildcards(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    add_call(session_factory, reason="Any call")
    assert _rows(desk_client.get("/console/calls?q=%25").text) == 0
    assert _rows(desk_client.get("/console/calls?q=_").text) == 0


def test_pagination(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    for minute in range(PAGE_SIZE + 3):
        add_call(session_factory, started_at=start + timedelta(minutes=minute), reason=f"c{minute}")
    first = desk_client.get("/console/calls")
    assert _rows(first.text) == PAGE_SIZE
    assert "Page 1 of 2" in first.text
    assert 'href="/console/calls?page=2"' in first.text
    second = desk_client.get("/console/calls?page=2")
    assert _rows(second.text) == 3
    # Oldest calls come last.
    assert ">c0<" in second.text
    assert _rows(desk_client.get("/console/calls?page=99").text) == 3
    assert _rows(desk_client.get("/console/calls?page=x").text) == PAGE_SIZE


def test_pagination_keeps_filters(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    for _ in range(PAGE_SIZE + 1):
        add_call(session_factory, escalated=True, outcome=CallOutcome.TRANSFERRED)
    page = desk_client.get("/console/calls?escalated=1")
    assert 'href="/console/calls?escalated=1&amp;page=2"' in page.text


def test_call_detail_shows_transcript(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call_id = booking_call(session_factory, patient_id=demo.established_patient.id)
    page = desk_client.get(f"/console/calls/{call_id}")
    assert page.status_code == 200
    text = page.text
    assert "Hi, I need to book a follow-up with Dr. Patel." in text
    assert "Receptionist" in text
    assert "Interrupted" in text
    assert "+0:04" in text
    assert "STT 41%" in text
    assert "first audio</span> 420 ms" in text
    assert "verify_patient" in text
    assert "&#34;date_of_birth&#34;: &#34;1958-04-12&#34;" in text
    assert "slot_taken" in text
    assert "Caller booked a follow-up." in text
    assert "Margaret Chen" in text
    assert "This call was not recorded." in text
    # Tool calls sit between the turns around them.
    assert text.index("verify_patient") < text.index("Thanks, Margaret.")
    assert text.index("April twelfth") < text.index("verify_patient")


def test_call_detail_escapes_transcript(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(session_factory, turns=[Turn("caller", "<script>alert(1)</script>", 1)])
    page = desk_client.get(f"/console/calls/{call_id}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_unknown_call_is_404(desk_client: TestClient) -> None:
    response = desk_client.get("/console/calls/999999")
    assert response.status_code == 404
    assert "No call with id 999999" in response.text


def test_recording_is_served_to_staff(
    desk_client: TestClient,
    client: TestClient,
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    audio = settings.recordings_dir / "CA1.wav"
    audio.write_bytes(b"RIFF0000WAVEfmt ")
    call_id = add_call(session_factory, recording_path=str(audio))
    page = desk_client.get(f"/console/calls/{call_id}")
    assert f'<audio controls preload="none" src="/console/calls/{call_id}/recording"' in page.text
    response = desk_client.get(f"/console/calls/{call_id}/recording")
    assert response.status_code == 200
    assert response.content == b"RIFF0000WAVEfmt "
    assert response.headers["content-type"] == "audio/wav"


def test_recording_relative_to_folder(
    desk_client: TestClient, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    (settings.recordings_dir / "CA2.wav").write_bytes(b"RIFF")
    call_id = add_call(session_factory, recording_path="CA2.wav")
    assert desk_client.get(f"/console/calls/{call_id}/recording").content == b"RIFF"


def test_recording_outside_folder_refused(
    desk_client: TestClient, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"not for staff")
    call_id = add_call(session_factory, recording_path=str(secret))
    assert desk_client.get(f"/console/calls/{call_id}/recording").status_code == 404
    traversal = add_call(session_factory, recording_path="../secret.wav")
    assert desk_client.get(f"/console/calls/{traversal}/recording").status_code == 404


def test_flag_call_with_note(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(session_factory)
    token = csrf_token(desk_client.get(f"/console/calls/{call_id}").text)
    response = desk_client.post(
        f"/console/calls/{call_id}/flag",
        data={"note": "  Booked the wrong day.  ", "csrf_token": token},
    )
    assert response.status_code == 303
    with session_factory() as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert call.flagged is True
        assert call.flag_note == "Booked the wrong day."
    page = desk_client.get(f"/console/calls/{call_id}")
    assert "Export eval scenario" in page.text


def test_flag_needs_a_note(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    call_id = add_call(session_factory)
    token = csrf_token(desk_client.get(f"/console/calls/{call_id}").text)
    response = desk_client.post(
        f"/console/calls/{call_id}/flag", data={"note": "   ", "csrf_token": token}
    )
    assert response.status_code == 400
    with session_factory() as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert call.flagged is False


def test_unflag_call(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    call_id = add_call(session_factory, flagged=True, flag_note="wrong")
    token = csrf_token(desk_client.get(f"/console/calls/{call_id}").text)
    assert (
        desk_client.post(f"/console/calls/{call_id}/unflag", data={"csrf_token": token}).status_code
        == 303
    )
    with session_factory() as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert call.flagged is False


def test_export_needs_flag(desk_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    call_id = add_call(session_factory)
    response = desk_client.get(f"/console/calls/{call_id}/scenario.yaml")
    assert response.status_code == 400


def test_export_verified_call(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call_id = booking_call(
        session_factory,
        patient_id=demo.established_patient.id,
        flagged=True,
        flag_note="Said the slot was taken after reading it back.",
        started_at=datetime(2026, 3, 2, 14, 5, tzinfo=UTC),
    )
    response = desk_client.get(f"/console/calls/{call_id}/scenario.yaml")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="call-{call_id}-review.yaml"'
    )

    text = response.text
    assert "expect: {}" in text
    assert "# TODO: state what must be true after the call" in text

    scenario = parse_scenario(yaml.safe_load(text), source="export")
    assert scenario.id == f"call-{call_id}-review"
    assert scenario.caller.facts.name == "Margaret Chen"
    assert scenario.caller.facts.date_of_birth is not None
    assert scenario.caller.facts.date_of_birth.isoformat() == "1958-04-12"

    assert scenario.caller.opening.text == "Hi, I need to book a follow-up with Dr. Patel."
    assert scenario.caller.mode == "scripted"
    assert [line.text for line in scenario.caller.script] == [
        "Margaret Chen, April twelfth 1958.",
        "Yes please.",
    ]
    assert scenario.caller.script[0].stt_confidence == 0.41
    assert scenario.fixture.now == datetime(2026, 3, 2, 9, 5)
    assert "Said the slot was taken" in scenario.description


def test_export_unverified_call_has_no_identity(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(
        session_factory,
        flagged=True,
        flag_note="Should have transferred.",
        turns=[Turn("agent", "Hello.", 0), Turn("caller", "I want to talk to a person.", 2)],
    )
    data = yaml.safe_load(desk_client.get(f"/console/calls/{call_id}/scenario.yaml").text)
    scenario = parse_scenario(data, source="export")
    assert scenario.caller.facts.date_of_birth is None
    assert scenario.caller.facts.name.startswith("TODO")
    assert scenario.caller.mode == "goal"
    assert scenario.caller.opening.text == "I want to talk to a person."
