"""clinic_information: every fact comes from the clinic's configuration."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from clinic.demo import DemoFacts
from clinic.models import Clinic
from tools.base import CallContext
from tools.registry import call_tool


def _set_clinic(ctx: CallContext, demo: DemoFacts, **values: object) -> None:
    with ctx.session_factory() as session, session.begin():
        session.execute(update(Clinic).where(Clinic.id == demo.clinic_id).values(**values))


async def test_hours_grouped_and_open_now(ctx: CallContext) -> None:
    result = await call_tool(ctx, "clinic_information", {"topic": "hours"})

    assert result.message.startswith("We're open Monday to Wednesday from 8 AM to 5 PM")
    assert "Saturday from 9 AM to noon" in result.message
    assert "closed on Sunday" in result.message
    assert "open now until 5 PM" in result.message
    assert result.data["open_now"] is True


async def test_facts_come_from_clinic_row(ctx: CallContext, demo: DemoFacts) -> None:
    _set_clinic(
        ctx,
        demo,
        address="1 Test Lane, Springfield",
        fax="+18025550999",
        portal_url="https://portal.test.example",
        parking="Park on the street.",
    )

    answers = {
        topic: (await call_tool(ctx, "clinic_information", {"topic": topic})).message
        for topic in ("address", "fax", "portal", "parking")
    }

    assert answers["address"] == "We're at 1 Test Lane, Springfield."
    assert answers["fax"] == "Our fax number is 802-555-0999."
    assert "https://portal.test.example" in answers["portal"]
    assert answers["parking"] == "Park on the street."


async def test_missing_fact_is_not_invented(ctx: CallContext, demo: DemoFacts) -> None:
    _set_clinic(ctx, demo, fax=None, parking=None)

    for topic in ("fax", "parking"):
        result = await call_tool(ctx, "clinic_information", {"topic": topic})
        assert result.data["available"] is False, topic
        assert "don't have" in result.message


async def test_holiday_date_reported_closed(ctx: CallContext, demo: DemoFacts) -> None:
    result = await call_tool(
        ctx, "clinic_information", {"topic": "hours", "date": demo.closure_day.isoformat()}
    )

    assert "closed" in result.message
    assert "Staff training day" in result.message


async def test_upcoming_holidays_listed(ctx: CallContext, demo: DemoFacts) -> None:
    result = await call_tool(ctx, "clinic_information", {"topic": "holidays"})

    dates = [h["date"] for h in result.data["holidays"]]
    assert demo.closure_day.isoformat() in dates
    assert all(d >= demo.today.isoformat() for d in dates)
    assert all(d <= (demo.today + timedelta(days=60)).isoformat() for d in dates)
