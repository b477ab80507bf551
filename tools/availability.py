"""When a provider can see a patient: the calendar rules shared by slot search and booking.

A time is bookable for a provider when all of these hold for the whole visit:

- it lies inside one working window of the provider's weekly template;
- it lies inside the clinic's opening hours that day, and the day is not a clinic holiday;
- it overlaps neither the provider's time off nor another booked appointment;
- it starts no earlier than :data:`MIN_NOTICE` from now.

Schedules are local wall-clock times in the clinic's time zone; each day's windows are
converted to UTC separately, so a week that crosses a daylight-saving change still yields
8 AM local on both sides of it. Instants are handled as integer UTC epoch seconds here,
because slot search over 50 providers and 60 days compares many of them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from clinic.models import (
    BLOCK_MINUTES,
    Appointment,
    AppointmentStatus,
    Clinic,
    Holiday,
    Patient,
    PatientStatus,
    Provider,
    ProviderSchedule,
    ProviderTimeOff,
)

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_NOTICE = timedelta(minutes=30)
"""The minimum time from now to a visit's start, so that the patient can get there."""
SLOT_STEP_MINUTES = 15
"""Offered start times fall on quarter hours, plus the first moment a gap opens."""
ESTABLISHED_WITHIN = timedelta(days=3 * 365)
"""A patient seen within three years is established (the usual US billing definition)."""

Interval = tuple[int, int]
"""A half-open span ``[start, end)`` in UTC epoch seconds."""


def epoch(moment: datetime) -> int:
    """Return an aware datetime as UTC epoch seconds."""
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    """Return UTC epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class ClinicCalendar:
    """The clinic's opening hours and holidays, in its own time zone."""

    zone: ZoneInfo
    hours: Mapping[int, tuple[time, time]]
    holidays: Mapping[date, str]

    def local(self, moment: datetime) -> datetime:
        """Return an aware instant as clinic-local time."""
        return moment.astimezone(self.zone)

    def to_utc(self, day: date, at: time) -> datetime:
        """Return the UTC instant of a local wall-clock time on ``day``."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def is_open(self, moment: datetime) -> bool:
        """Return whether the clinic is open at the aware instant ``moment``."""
        local = self.local(moment)
        window = self.hours.get(local.weekday())
        if window is None or local.date() in self.holidays:
            return False
        return window[0] <= local.time().replace(tzinfo=None) < window[1]

    def next_opening(self, moment: datetime, *, within_days: int = 21) -> datetime | None:
        """Return the next local instant the clinic opens after ``moment``, if any soon."""
        local = self.local(moment)
        for offset in range(within_days + 1):
            day = local.date() + timedelta(days=offset)
            window = self.hours.get(day.weekday())
            if window is None or day in self.holidays:
                continue
            opening = datetime.combine(day, window[0], tzinfo=self.zone)
            if opening > local:
                return opening
        return None

    def add_business_days(self, day: date, count: int) -> date:
        """Return the date ``count`` open days after ``day`` (closed days and holidays skipped)."""
        current = day
        remaining = count
        for _ in range(count * 7 + 14):
            if remaining == 0:
                break
            current += timedelta(days=1)
            if current.weekday() in self.hours and current not in self.holidays:
                remaining -= 1
        return current


def _parse_hours(raw: Mapping[str, object] | None) -> dict[int, tuple[time, time]]:
    hours: dict[int, tuple[time, time]] = {}
    for weekday, key in enumerate(WEEKDAY_KEYS):
        window = (raw or {}).get(key)
        if isinstance(window, list | tuple) and len(window) == 2:
            hours[weekday] = (
                time.fromisoformat(str(window[0])),
                time.fromisoformat(str(window[1])),
            )
    return hours


def load_calendar(session: Session, clinic: Clinic) -> ClinicCalendar:
    """Read the clinic's time zone, opening hours and holidays."""
    holidays = session.execute(
        select(Holiday.day, Holiday.name).where(Holiday.clinic_id == clinic.id)
    ).all()
    return ClinicCalendar(
        zone=ZoneInfo(clinic.timezone),
        hours=_parse_hours(clinic.hours),
        holidays={day: name for day, name in holidays},
    )


@dataclass(frozen=True)
class WeeklyTemplate:
    """A provider's working windows by weekday (0 is Monday), in local wall-clock time."""

    provider_id: int
    windows: Mapping[int, tuple[tuple[time, time], ...]]


def load_templates(session: Session, provider_ids: Sequence[int]) -> dict[int, WeeklyTemplate]:
    """Read the weekly templates of several providers in one query."""
    rows = session.execute(
        select(
            ProviderSchedule.provider_id,
            ProviderSchedule.weekday,
            ProviderSchedule.start_time,
            ProviderSchedule.end_time,
        ).where(ProviderSchedule.provider_id.in_(provider_ids))
    ).all()
    by_provider: dict[int, dict[int, list[tuple[time, time]]]] = {pid: {} for pid in provider_ids}
    for provider_id, weekday, start_time, end_time in rows:
        by_provider[provider_id].setdefault(weekday, []).append((start_time, end_time))
    return {
        pid: WeeklyTemplate(pid, {day: tuple(sorted(spans)) for day, spans in days.items()})
        for pid, days in by_provider.items()
    }


LONG_INTERVAL = 24 * 3600
"""Busy intervals longer than a day (time off) are kept apart from visits, see BusyTimes."""


@dataclass
class BusyTimes:
    """A provider's or patient's busy intervals, indexed for lookups by day.

    Visits are short, so the ones overlapping a day are found by bisecting on start times
    from one day before it. Longer intervals (vacations) are few and scanned in full.
    """

    short: list[Interval]
    long: list[Interval]

    def __post_init__(self) -> None:
        self.short.sort()
        self.long.sort()
        self._starts = [start for start, _ in self.short]

    def __bool__(self) -> bool:
        return bool(self.short or self.long)

    @classmethod
    def of(cls, intervals: Iterable[Interval]) -> BusyTimes:
        """Sort intervals into short and long ones."""
        short: list[Interval] = []
        long: list[Interval] = []
        for interval in intervals:
            (long if interval[1] - interval[0] > LONG_INTERVAL else short).append(interval)
        return cls(short, long)

    def overlapping(self, start: int, end: int) -> list[Interval]:
        """Return the intervals that overlap ``[start, end)``, sorted by start."""
        first = bisect_left(self._starts, start - LONG_INTERVAL)
        last = bisect_left(self._starts, end)
        found = [i for i in self.short[first:last] if i[1] > start]
        if self.long:
            found += [i for i in self.long if i[0] < end and i[1] > start]
            found.sort()
        return found


def _epoch_sql(dialect: str, column: Any) -> ColumnElement[int]:
    # Converting in SQL skips building two datetime objects per row in Python, which
    # dominated slot search over 50 providers. SQLite stores these columns as UTC text.
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.extract("epoch", column), BigInteger)


def _epoch_list_sql(dialect: str) -> ColumnElement[str]:
    # One text per provider, "start end start end ...", in no particular order. Building
    # a row in the driver costs about a microsecond, several times the cost of a number
    # in this list, and a search that reads a whole range reads every visit in it.
    pair = (
        _epoch_text_sql(dialect, Appointment.starts_at)
        + " "
        + _epoch_text_sql(dialect, Appointment.ends_at)
    )
    if dialect == "sqlite":
        return func.group_concat(pair, " ", type_=String)
    return func.string_agg(pair, " ", type_=String)


def _epoch_text_sql(dialect: str, column: Any) -> ColumnElement[str]:
    if dialect == "sqlite":
        return func.strftime("%s", column, type_=String)
    return cast(_epoch_sql(dialect, column), String)


@lru_cache(maxsize=64)
def _booked_statement(dialect: str, window_count: int) -> Select[int, str]:
    # Built once per backend and number of windows, because building the expression
    # costs more than running it; the values arrive as bound parameters.
    overlaps = [
        and_(
            Appointment.starts_at < bindparam(f"end_{n}"),
            Appointment.ends_at > bindparam(f"start_{n}"),
        )
        for n in range(window_count)
    ]
    return (
        select(Appointment.provider_id, _epoch_list_sql(dialect))
        .where(
            # These four terms are one range scan of ix_appointment_provider_status_end.
            # The index also contains starts_at, so no table row is read.
            Appointment.provider_id.in_(bindparam("provider_ids", expanding=True)),
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.ends_at > bindparam("start_0"),
            Appointment.starts_at < bindparam(f"end_{window_count - 1}"),
            or_(*overlaps),
        )
        .group_by(Appointment.provider_id)
    )


def load_booked(
    session: Session, provider_ids: Sequence[int], windows: Sequence[Interval]
) -> dict[int, BusyTimes]:
    """Read the booked appointments of several providers that overlap any of ``windows``.

    One query, whatever the number of providers and windows. Only appointments that
    overlap a window are read, so a search for a narrow time of day reads a fraction of
    each day's visits.

    Args:
        windows: Spans sorted by start that do not overlap, such as the part of each day
            in which a visit could take place.
    """
    found: dict[int, list[Interval]] = {pid: [] for pid in provider_ids}
    if provider_ids and windows:
        parameters: dict[str, object] = {"provider_ids": list(provider_ids)}
        for n, (start, end) in enumerate(windows):
            parameters[f"start_{n}"] = from_epoch(start)
            parameters[f"end_{n}"] = from_epoch(end)
        statement = _booked_statement(session.get_bind().dialect.name, len(windows))
        # Executed on the connection, because the ORM's result processing is not needed
        # for a provider id and a text.
        for provider_id, epochs in session.connection().execute(statement, parameters).all():
            numbers = iter(map(int, epochs.split()))
            found[provider_id] = list(zip(numbers, numbers, strict=True))
    return {pid: BusyTimes.of(intervals) for pid, intervals in found.items()}


def load_time_off(
    session: Session, provider_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, BusyTimes]:
    """Read the time off of several providers between two instants, in one query."""
    found: dict[int, list[Interval]] = {pid: [] for pid in provider_ids}
    if provider_ids:
        dialect = session.get_bind().dialect.name
        statement = select(
            ProviderTimeOff.provider_id,
            _epoch_sql(dialect, ProviderTimeOff.starts_at),
            _epoch_sql(dialect, ProviderTimeOff.ends_at),
        ).where(
            ProviderTimeOff.provider_id.in_(provider_ids),
            ProviderTimeOff.starts_at < end,
            ProviderTimeOff.ends_at > start,
        )
        rows = session.connection().execute(statement).all()
        for provider_id, starts_at, ends_at in rows:
            found[provider_id].append((int(starts_at), int(ends_at)))
    return {pid: BusyTimes.of(intervals) for pid, intervals in found.items()}


def patient_busy(session: Session, patient_id: int, start: datetime, end: datetime) -> BusyTimes:
    """Return the patient's own booked visits between two instants."""
    rows = session.execute(
        select(Appointment.starts_at, Appointment.ends_at).where(
            Appointment.patient_id == patient_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at < end,
            Appointment.ends_at > start,
        )
    ).all()
    return BusyTimes.of((epoch(s), epoch(e)) for s, e in rows)


def working_spans(
    calendar: ClinicCalendar,
    template: WeeklyTemplate,
    weekday: int,
    *,
    between: tuple[time, time] | None = None,
) -> list[tuple[time, time]]:
    """Return the local times the provider works on ``weekday``, within clinic hours and
    ``between``, ignoring holidays."""
    opening = calendar.hours.get(weekday)
    spans = template.windows.get(weekday)
    if opening is None or not spans:
        return []
    low, high = opening
    if between is not None:
        low, high = max(low, between[0]), min(high, between[1])
    found: list[tuple[time, time]] = []
    for span_start, span_end in spans:
        start, end = max(span_start, low), min(span_end, high)
        if start < end:
            found.append((start, end))
    return found


def working_intervals(
    calendar: ClinicCalendar,
    template: WeeklyTemplate,
    day: date,
    *,
    between: tuple[time, time] | None = None,
    epochs: dict[tuple[date, time], int] | None = None,
) -> list[Interval]:
    """Return when the provider works on ``day``, within clinic hours and ``between``.

    Args:
        epochs: A cache of local times already converted, shared across providers.
    """
    if day in calendar.holidays:
        return []
    cache = {} if epochs is None else epochs
    return [
        (local_epoch(calendar, day, start, cache), local_epoch(calendar, day, end, cache))
        for start, end in working_spans(calendar, template, day.weekday(), between=between)
    ]


def local_epoch(
    calendar: ClinicCalendar, day: date, at: time, cache: dict[tuple[date, time], int]
) -> int:
    """Return the UTC epoch seconds of a local time on ``day``, remembered in ``cache``."""
    key = (day, at)
    value = cache.get(key)
    if value is None:
        value = cache[key] = epoch(calendar.to_utc(day, at))
    return value


def subtract(free: list[Interval], busy: Sequence[Interval]) -> list[Interval]:
    """Remove the sorted ``busy`` intervals from the sorted ``free`` ones."""
    result: list[Interval] = []
    for start, end in free:
        cursor = start
        for busy_start, busy_end in busy:
            if busy_end <= cursor:
                continue
            if busy_start >= end:
                break
            if busy_start > cursor:
                result.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def slot_starts(free: Sequence[Interval], duration_s: int, not_before: int) -> Iterator[int]:
    """Yield start times where a visit of ``duration_s`` fits in ``free``.

    The first start of each gap is its opening moment (rounded up to the booking block);
    later ones fall on the quarter hour.
    """
    block = BLOCK_MINUTES * 60
    step = SLOT_STEP_MINUTES * 60
    for start, end in free:
        first = max(start, not_before)
        first = -(-first // block) * block
        candidate = first
        while candidate + duration_s <= end:
            yield candidate
            candidate = (candidate // step + 1) * step


def unavailable_reason(
    calendar: ClinicCalendar,
    template: WeeklyTemplate,
    provider_name: str,
    start: datetime,
    duration: timedelta,
) -> str | None:
    """Return why a visit cannot take place then (a caller-safe sentence), or None if it can.

    Checks the clinic's hours and holidays and the provider's template; booked appointments
    and time off are checked by the caller, against the database.
    """
    local = calendar.local(start)
    day = local.date()
    if day in calendar.holidays:
        return f"The clinic is closed that day for {calendar.holidays[day]}."
    if day.weekday() not in calendar.hours:
        return f"The clinic is closed on {local:%A}s."
    begins, ends = epoch(start), epoch(start + duration)
    for window_start, window_end in working_intervals(calendar, template, day):
        if window_start <= begins and ends <= window_end:
            return None
    opening = calendar.hours[day.weekday()]
    clinic_open = calendar.to_utc(day, opening[0]) <= start
    clinic_still_open = start + duration <= calendar.to_utc(day, opening[1])
    if not (clinic_open and clinic_still_open):
        return "That time is outside the clinic's opening hours."
    return f"{provider_name} is not seeing patients at that time."


def is_established(session: Session, patient: Patient, now: datetime) -> bool:
    """Return whether the patient counts as established rather than new.

    A chart registered by phone and still awaiting review is new. Otherwise the patient is
    established if they had a visit (completed, or booked in the past) within three years.
    """
    if patient.status == PatientStatus.PENDING_REVIEW:
        return False
    seen = session.scalar(
        select(Appointment.id)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status.in_([AppointmentStatus.COMPLETED, AppointmentStatus.BOOKED]),
            Appointment.starts_at < now,
            Appointment.starts_at >= now - ESTABLISHED_WITHIN,
        )
        .limit(1)
    )
    return seen is not None


def active_providers(session: Session, clinic_id: int) -> list[Provider]:
    """Return the clinic's active providers, ordered by last name."""
    return list(
        session.scalars(
            select(Provider)
            .where(Provider.clinic_id == clinic_id, Provider.active.is_(True))
            .order_by(Provider.last_name, Provider.first_name)
        )
    )
