"""One flow per kind of request the offline brain handles itself."""

from __future__ import annotations

from agent.offline.dialogue import Flow
from agent.offline.flows.appointments import CancelFlow, NextAppointmentFlow, RescheduleFlow
from agent.offline.flows.booking import BookingFlow
from agent.offline.flows.registration import RegistrationFlow
from agent.offline.flows.requests import InfoFlow, InsuranceFlow, MessageFlow, RefillFlow
from agent.offline.intents import Intent

FLOWS: dict[Intent, Flow] = {
    Intent.BOOK: BookingFlow(),
    Intent.RESCHEDULE: RescheduleFlow(),
    Intent.CANCEL: CancelFlow(),
    Intent.NEXT_APPOINTMENT: NextAppointmentFlow(),
    Intent.REFILL: RefillFlow(),
    Intent.INSURANCE: InsuranceFlow(),
    Intent.REGISTER: RegistrationFlow(),
    Intent.INFO: InfoFlow(),
    Intent.MESSAGE: MessageFlow(),
}
"""The flows by intent; billing, upset callers and goodbyes are handled by the policy."""

__all__ = ["FLOWS"]
