"""What the offline brain needs to understand a caller's words.

Pure functions over transcribed text: numbers, dates of birth, phone numbers, names and
yes-or-no answers in English, and names and dates of birth in Spanish too
(:mod:`agent.parsing.spanish` reads Spanish number words). They return None (or an unclear
answer) on anything they cannot read and never raise on odd input. Appointment dates and
times are in :mod:`tools.datetimes`.
"""

from agent.parsing.answers import Answer, AnswerKind, classify_answer
from agent.parsing.birthdates import parse_date_of_birth
from agent.parsing.names import PersonName, parse_full_name, parse_spelled_name
from agent.parsing.numbers import digit_runs, parse_digits, parse_number, parse_ordinal
from agent.parsing.phones import parse_phone_number

__all__ = [
    "Answer",
    "AnswerKind",
    "PersonName",
    "classify_answer",
    "digit_runs",
    "parse_date_of_birth",
    "parse_digits",
    "parse_full_name",
    "parse_number",
    "parse_ordinal",
    "parse_phone_number",
    "parse_spelled_name",
]
