"""The console in real headless Chromium: sign-in, review a call, work the queue.

Screenshots of the call detail and queue pages go to ``test-output/console/``.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory
from clinic.demo import DemoFacts
from clinic.models import CallOutcome, StaffRole, TaskKind, TaskPriority
from frontdesk.settings import Settings
from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, serve
from tests.console.builders import PASSWORD, Turn, add_call, add_staff, add_task, booking_call
from tests.console.conftest import console_app

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "console"
DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def base_url(factory: sessionmaker[Session], sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    settings = Settings(
        environment="test",
        database_url=sqlite_url,
        secret_key="browser-test-secret-key",
        recordings_dir=recordings,
        _env_file=None,
    )
    add_staff(factory, "rosa", display_name="Rosa Diaz")
    add_staff(factory, "ines", role=StaffRole.ADMIN, display_name="Ines Park")
    with serve(console_app(settings, factory)) as url:
        yield url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def _sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _write_recording(path: Path) -> None:
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x00\x00" * 8000)


def _seed_reviews(factory: sessionmaker[Session], demo: DemoFacts, recording: Path) -> int:
    now = datetime.now(UTC)
    call_id = booking_call(
        factory,
        patient_id=demo.established_patient.id,
        started_at=now - timedelta(minutes=12),
        recording_path=str(recording),
        summary="Margaret Chen asked for a follow-up with Dr. Patel; the booking failed "
        "because the slot was taken after the read-back.",
    )
    add_call(
        factory,
        started_at=now - timedelta(minutes=40),
        from_number="+18025550163",
        reason="Billing question",
        outcome=CallOutcome.MESSAGE_TAKEN,
        escalated=True,
        turns=[Turn("caller", "I have a question about my bill.", 3)],
    )
    add_call(
        factory,
        started_at=now - timedelta(hours=2),
        from_number="+18025550121",
        patient_id=demo.look_alike_patients[0].id,
        reason="Office hours",
    )
    add_task(
        factory,
        kind=TaskKind.URGENT,
        priority=TaskPriority.URGENT,
        title="Caller reported chest pain; told to call 911",
        created_at=now - timedelta(minutes=8),
        callback_number="+18025550187",
        patient_id=demo.same_name_patients[0].id,
        details="Caller said he had chest pain since the morning. The receptionist told him "
        "to hang up and call 911. Check that he reached care.",
    )
    add_task(
        factory,
        kind=TaskKind.REFILL_REVIEW,
        priority=TaskPriority.HIGH,
        title="Refill review: oxycodone (schedule II)",
        created_at=now - timedelta(hours=3),
        patient_id=demo.controlled_patient.id,
        call_id=call_id,
    )
    add_task(
        factory,
        kind=TaskKind.REGISTRATION_REVIEW,
        title="New patient registered by phone: Kevin O'Brien",
        created_at=now - timedelta(days=2),
        patient_id=demo.pending_review_patient.id,
        callback_number=None,
    )
    add_task(
        factory,
        kind=TaskKind.INSURANCE_QUESTION,
        title="Does the clinic take Oscar Bronze?",
        created_at=now - timedelta(hours=5),
        callback_number="+18025550911",
    )
    add_task(
        factory,
        title="Call back about a bill",
        created_at=now - timedelta(hours=1),
        callback_number="+18025550163",
    )
    return call_id


def test_review_call_and_work_queue(
    page: Page, factory: sessionmaker[Session], demo: DemoFacts, tmp_path: Path
) -> None:
    recording = tmp_path / "recordings" / "CA-demo.wav"
    _write_recording(recording)
    call_id = _seed_reviews(factory, demo, recording)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/console/login")
    page.screenshot(path=SCREENSHOTS / "login.png")
    _sign_in(page, "rosa")
    expect(page.get_by_role("heading", name="Maple Grove Family Medicine")).to_be_visible()
    expect(page.get_by_text("signed in as Rosa Diaz")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)

    # Open the verified call from the calls list.
    page.get_by_role("link", name="Calls", exact=True).click()
    expect(page.locator(".calls-table tbody tr")).to_have_count(3)
    page.screenshot(path=SCREENSHOTS / "calls.png", full_page=True)
    page.locator(f'a.row-link[href="/console/calls/{call_id}"]').click()
    expect(page.get_by_text("Hi, I need to book a follow-up with Dr. Patel.")).to_be_visible()
    expect(page.locator(".turn-interrupted")).to_have_count(1)
    expect(page.locator("audio.player")).to_have_attribute(
        "src", f"/console/calls/{call_id}/recording"
    )
    page.locator(".tool summary", has_text="verify_patient").click()
    expect(page.get_by_text('"date_of_birth": "1958-04-12"')).to_be_visible()

    # The recording plays through the signed-in session only.
    audio = page.request.get(f"/console/calls/{call_id}/recording")
    assert audio.status == 200
    assert audio.headers["content-type"] == "audio/wav"

    # Flag it and download the eval skeleton.
    page.get_by_label("Flag this call: what went wrong?").fill(
        "Read back a slot, then said it was taken."
    )
    page.get_by_role("button", name="Flag call").click()
    expect(page.locator(".alert-warn")).to_contain_text("Read back a slot")
    page.screenshot(path=SCREENSHOTS / "call-detail.png", full_page=True)
    page.set_viewport_size(TABLET)
    page.screenshot(path=SCREENSHOTS / "call-detail-tablet.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export eval scenario").click()
    download = download_info.value
    assert download.suggested_filename == f"call-{call_id}-review.yaml"
    exported = yaml.safe_load(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["caller"]["facts"]["name"] == "Margaret Chen"
    assert exported["expect"] == {}

    # Work the urgent item to done.
    page.get_by_role("link", name="Queue", exact=True).click()
    cards = page.locator(".task-card")
    expect(cards).to_have_count(5)
    expect(cards.first).to_contain_text("chest pain")
    page.screenshot(path=SCREENSHOTS / "queue.png", full_page=True)
    page.set_viewport_size(TABLET)
    page.screenshot(path=SCREENSHOTS / "queue-tablet.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    cards.first.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".facts")).to_contain_text("Rosa Diaz")
    page.screenshot(path=SCREENSHOTS / "queue-item.png", full_page=True)
    page.get_by_label("What was done?").fill("Called back: he is at the emergency room.")
    page.get_by_role("button", name="Mark done").click()
    expect(page).to_have_url("/console/queue")
    expect(page.locator(".task-card")).to_have_count(4)
    expect(page.locator(".done-panel")).to_contain_text("chest pain")


def test_unauthenticated_page_redirects(page: Page) -> None:
    page.goto("/console/queue")
    expect(page).to_have_url("/console/login?next=%2Fconsole%2Fqueue")
    _sign_in_on_current_form(page)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def _sign_in_on_current_form(page: Page) -> None:
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_front_desk_blocked_from_admin(page: Page) -> None:
    _sign_in(page, "rosa")
    expect(page.get_by_role("link", name="Audit")).to_have_count(0)
    response = page.goto("/console/admin/audit")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_admin_opens_audit(page: Page) -> None:
    _sign_in(page, "ines")
    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.locator("table")).to_contain_text("staff:ines")


def test_form_without_csrf_rejected(page: Page, factory: sessionmaker[Session]) -> None:
    call_id = add_call(factory)
    _sign_in(page, "rosa")
    page.goto(f"/console/calls/{call_id}")
    page.locator('#flag input[name="csrf_token"]').evaluate("input => input.remove()")
    page.get_by_label("Flag this call: what went wrong?").fill("Missing token")
    page.get_by_role("button", name="Flag call").click()
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("security token")).to_be_visible()
    page.goto(f"/console/calls/{call_id}")
    expect(page.locator(".alert-warn")).to_have_count(0)


def test_lockout_after_failed_sign_ins(page: Page) -> None:
    for _ in range(5):
        _sign_in(page, "rosa", "not the password")
        expect(page.get_by_role("alert")).to_contain_text("Sign-in failed")
    _sign_in(page, "rosa")
    expect(page.get_by_role("alert")).to_contain_text("Sign-in failed")
    _sign_in(page, "nobody-here", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Sign-in failed")
    page.goto("/console/")
    expect(page).to_have_url("/console/login?next=%2Fconsole%2F")
