"""The clinic database: SQLAlchemy 2 typed models.

Times of day in schedules are naive local times in the clinic's time zone; instants (an
appointment's start, a call's start) are stored in UTC as timezone-aware datetimes.

Double booking is prevented by the database, not only by a check: each booked appointment
claims every five-minute block it covers in ``appointment_block``, whose primary key is
``(provider_id, block_start)``. Two concurrent bookings that overlap collide on that key, on
SQLite and PostgreSQL alike, and exactly one of them commits.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

BLOCK_MINUTES = 5
"""Granularity of the double-booking guard; appointment lengths are multiples of it."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetime given for a UTC column; attach a time zone first.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute as is.
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings so migrations stay portable and values readable in SQL.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


# --- clinic configuration -------------------------------------------------------------


class Clinic(Base):
    """The practice Frontdesk serves. Its facts are all the agent may state about it."""

    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(32))
    fax: Mapped[str | None] = mapped_column(String(32))
    portal_url: Mapped[str | None] = mapped_column(String(300))
    parking: Mapped[str | None] = mapped_column(Text)
    # {"mon": ["08:00", "17:00"], ..., "sun": null}
    hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    transfer_number: Mapped[str | None] = mapped_column(String(32))
    nurse_line: Mapped[str | None] = mapped_column(String(32))
    # "take_message" or "transfer_answering_service"
    after_hours_policy: Mapped[str] = mapped_column(String(64), default="take_message")
    late_cancel_hours: Mapped[int] = mapped_column(Integer, default=24)
    late_cancel_fee_cents: Mapped[int] = mapped_column(Integer, default=0)

    holidays: Mapped[list[Holiday]] = relationship(back_populates="clinic")
    providers: Mapped[list[Provider]] = relationship(back_populates="clinic")


class Holiday(Base):
    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("clinic_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))

    clinic: Mapped[Clinic] = relationship(back_populates="holidays")


provider_appointment_type = Table(
    "provider_appointment_type",
    Base.metadata,
    Column("provider_id", ForeignKey("provider.id"), primary_key=True),
    Column("appointment_type_id", ForeignKey("appointment_type.id"), primary_key=True),
)


class Provider(Base):
    """A clinician patients book with."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    title: Mapped[str] = mapped_column(String(20))  # "Dr.", "NP", "PA"
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    specialty: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    clinic: Mapped[Clinic] = relationship(back_populates="providers")
    schedule: Mapped[list[ProviderSchedule]] = relationship(
        back_populates="provider", order_by="ProviderSchedule.weekday"
    )
    time_off: Mapped[list[ProviderTimeOff]] = relationship(back_populates="provider")
    appointment_types: Mapped[list[AppointmentType]] = relationship(
        secondary=provider_appointment_type, back_populates="providers"
    )

    @property
    def display_name(self) -> str:
        """The name the agent says aloud, such as "Dr. Patel"."""
        if self.title == "Dr.":
            return f"Dr. {self.last_name}"
        return f"{self.first_name} {self.last_name}, {self.title}"


class ProviderSchedule(Base):
    """One working window of a provider's weekly template (weekday 0 is Monday)."""

    __tablename__ = "provider_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    provider: Mapped[Provider] = relationship(back_populates="schedule")


class ProviderTimeOff(Base):
    __tablename__ = "provider_time_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))

    provider: Mapped[Provider] = relationship(back_populates="time_off")


class AppointmentType(Base):
    """A kind of visit: its length and who may book it."""

    __tablename__ = "appointment_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    for_new_patients: Mapped[bool] = mapped_column(Boolean, default=True)
    for_established_patients: Mapped[bool] = mapped_column(Boolean, default=True)

    providers: Mapped[list[Provider]] = relationship(
        secondary=provider_appointment_type, back_populates="appointment_types"
    )


# --- patients and insurance -----------------------------------------------------------


class PatientStatus(enum.StrEnum):
    ACTIVE = "active"
    PENDING_REVIEW = "pending_review"  # registered by phone, not yet checked by staff
    INACTIVE = "inactive"


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (Index("ix_patient_dob_last", "date_of_birth", "last_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    mobile_phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[PatientStatus] = mapped_column(
        _enum(PatientStatus), default=PatientStatus.ACTIVE
    )
    created_at: Mapped[datetime]
    # No foreign key: call rows point at patients, and a cycle would block table ordering.
    created_by_call_id: Mapped[int | None] = mapped_column(Integer)

    coverages: Mapped[list[Coverage]] = relationship(back_populates="patient")
    prescriptions: Mapped[list[Prescription]] = relationship(back_populates="patient")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Payer(Base):
    __tablename__ = "payer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    member_id_pattern: Mapped[str | None] = mapped_column(String(100))  # a regular expression

    plans: Mapped[list[Plan]] = relationship(back_populates="payer")


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"))
    name: Mapped[str] = mapped_column(String(200))
    plan_type: Mapped[str] = mapped_column(String(20))  # HMO, PPO, EPO, Medicare, Medicaid
    accepted: Mapped[bool] = mapped_column(Boolean)

    payer: Mapped[Payer] = relationship(back_populates="plans")
    copays: Mapped[list[PlanCopay]] = relationship(back_populates="plan")

    @property
    def display_name(self) -> str:
        return f"{self.payer.name} {self.name}"


class PlanCopay(Base):
    __tablename__ = "plan_copay"
    __table_args__ = (UniqueConstraint("plan_id", "appointment_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    appointment_type_id: Mapped[int] = mapped_column(ForeignKey("appointment_type.id"))
    copay_cents: Mapped[int] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(back_populates="copays")
    appointment_type: Mapped[AppointmentType] = relationship()


class CoverageStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"


class Coverage(Base):
    """A patient's insurance on file (FHIR R4 Coverage)."""

    __tablename__ = "coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    member_id: Mapped[str] = mapped_column(String(40))
    group_number: Mapped[str | None] = mapped_column(String(40))
    subscriber_name: Mapped[str] = mapped_column(String(200))
    relationship_to_subscriber: Mapped[str] = mapped_column(String(20), default="self")
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CoverageStatus] = mapped_column(_enum(CoverageStatus))

    patient: Mapped[Patient] = relationship(back_populates="coverages")
    plan: Mapped[Plan] = relationship()


# --- scheduling -----------------------------------------------------------------------


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"  # replaced by the appointment whose rescheduled_from_id points here
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        Index("ix_appointment_provider_start", "provider_id", "starts_at"),
        Index("ix_appointment_patient_start", "patient_id", "starts_at"),
        # Covers slot search's busy-time query: a range on ends_at with this prefix, and
        # starts_at read from the index, so no table row is visited.
        Index(
            "ix_appointment_provider_status_end", "provider_id", "status", "ends_at", "starts_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    appointment_type_id: Mapped[int] = mapped_column(ForeignKey("appointment_type.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[AppointmentStatus] = mapped_column(
        _enum(AppointmentStatus), default=AppointmentStatus.BOOKED
    )
    reason: Mapped[str | None] = mapped_column(String(300))
    booked_by: Mapped[str] = mapped_column(String(40))  # "agent", "staff:<username>", "seed"
    booked_from_call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(String(300))
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)

    patient: Mapped[Patient] = relationship()
    provider: Mapped[Provider] = relationship()
    appointment_type: Mapped[AppointmentType] = relationship()


class AppointmentBlock(Base):
    """One five-minute block of a provider's time held by a booked appointment.

    The primary key is the double-booking guard; rows are deleted when the appointment is
    cancelled or rescheduled.
    """

    __tablename__ = "appointment_block"

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), primary_key=True)
    block_start: Mapped[datetime] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )


# --- prescriptions --------------------------------------------------------------------


class Pharmacy(Base):
    __tablename__ = "pharmacy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))


class Prescription(Base):
    """A medication a provider prescribed (FHIR R4 MedicationRequest)."""

    __tablename__ = "prescription"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    drug_name: Mapped[str] = mapped_column(String(200))
    strength: Mapped[str] = mapped_column(String(60))
    directions: Mapped[str | None] = mapped_column(String(300))
    refills_left: Mapped[int] = mapped_column(Integer)
    last_filled_on: Mapped[date | None] = mapped_column(Date)
    # DEA schedule "II".."V"; None for non-controlled drugs.
    controlled_schedule: Mapped[str | None] = mapped_column(String(4))
    pharmacy_id: Mapped[int | None] = mapped_column(ForeignKey("pharmacy.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    patient: Mapped[Patient] = relationship(back_populates="prescriptions")
    prescriber: Mapped[Provider] = relationship()
    pharmacy: Mapped[Pharmacy | None] = relationship()


class RefillStatus(enum.StrEnum):
    """Status of a refill request in the queue.

    There is deliberately no "approved": only a prescriber approves, outside Frontdesk.
    """

    QUEUED = "queued"  # in the prescriber's queue
    STAFF_REVIEW = "staff_review"  # controlled substance or unknown medication
    RENEWAL_REQUESTED = "renewal_requested"  # no refills left: needs a new prescription
    SENT_TO_PHARMACY = "sent_to_pharmacy"  # set by staff after the prescriber signs
    DENIED = "denied"
    CLOSED = "closed"


class RefillRequest(Base):
    __tablename__ = "refill_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    prescription_id: Mapped[int | None] = mapped_column(ForeignKey("prescription.id"))
    prescriber_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    medication_text: Mapped[str] = mapped_column(String(200))
    pharmacy_id: Mapped[int | None] = mapped_column(ForeignKey("pharmacy.id"))
    pharmacy_text: Mapped[str | None] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(20), default="routine")  # routine, soon, urgent
    status: Mapped[RefillStatus] = mapped_column(_enum(RefillStatus))
    route_reason: Mapped[str] = mapped_column(String(300))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    created_at: Mapped[datetime]

    patient: Mapped[Patient] = relationship()
    prescription: Mapped[Prescription | None] = relationship()


# --- calls, staff work and audit ------------------------------------------------------


class CallOutcome(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"  # the agent completed what the caller needed
    TRANSFERRED = "transferred"
    MESSAGE_TAKEN = "message_taken"
    EMERGENCY = "emergency"
    ABANDONED = "abandoned"  # caller hung up or went silent before anything was done
    DROPPED = "dropped"  # the connection broke
    FAILED = "failed"  # an error in Frontdesk ended the call


class Call(Base):
    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    stream_sid: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default="phone")  # phone, chat, eval
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    twilio_status: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[CallOutcome] = mapped_column(
        _enum(CallOutcome), default=CallOutcome.IN_PROGRESS
    )
    reason: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    brain: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(100))
    recording_path: Mapped[str | None] = mapped_column(String(500))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_note: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient | None] = relationship(foreign_keys=[patient_id])
    turns: Mapped[list[TranscriptTurn]] = relationship(
        back_populates="call", order_by="TranscriptTurn.seq"
    )
    tool_calls: Mapped[list[ToolCallRecord]] = relationship(
        back_populates="call", order_by="ToolCallRecord.seq"
    )

    @property
    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class TranscriptTurn(Base):
    __tablename__ = "transcript_turn"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))  # caller, agent, system
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    stt_confidence: Mapped[float | None]
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"speech_end_ms":..., "transcript_ms":..., "first_text_ms":..., "first_audio_ms":...}
    latency: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    call: Mapped[Call] = relationship(back_populates="turns")


class ToolCallRecord(Base):
    __tablename__ = "tool_call"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    tool_name: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    ok: Mapped[bool] = mapped_column(Boolean)
    error_code: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    duration_ms: Mapped[float]

    call: Mapped[Call] = relationship(back_populates="tool_calls")


class TaskKind(enum.StrEnum):
    CALLBACK = "callback"
    REFILL_REVIEW = "refill_review"
    REGISTRATION_REVIEW = "registration_review"
    INSURANCE_QUESTION = "insurance_question"
    URGENT = "urgent"
    CALL_REVIEW = "call_review"


class TaskPriority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class StaffTask(Base):
    """An item in the front-office queue: something Frontdesk handed to a person."""

    __tablename__ = "staff_task"
    __table_args__ = (Index("ix_staff_task_status_priority", "status", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind))
    priority: Mapped[TaskPriority] = mapped_column(_enum(TaskPriority))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.OPEN)
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(200))
    callback_number: Mapped[str | None] = mapped_column(String(32))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    refill_request_id: Mapped[int | None] = mapped_column(ForeignKey("refill_request.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_note: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient | None] = relationship()
    call: Mapped[Call | None] = relationship()
    assigned_to: Mapped[StaffUser | None] = relationship()


class StaffRole(enum.StrEnum):
    FRONT_DESK = "front_desk"
    ADMIN = "admin"


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """A record of who read or changed which patient record, from which call or staff login."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "agent", "staff:<username>", "system"
    action: Mapped[str] = mapped_column(String(40))  # read, create, update, cancel, login...
    resource: Mapped[str] = mapped_column(String(60))  # patient, appointment, coverage...
    resource_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    tool_name: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
