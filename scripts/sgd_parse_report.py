"""Measure the date and time resolvers on annotated doctor-booking dialogues.

Reads Schema-Guided Dialogue records (one JSON object per line with ``turns``, each turn
``{speaker, utterance, actions}``), keeps the USER turns whose actions INFORM
``appointment_date`` or ``appointment_time``, and checks that resolving the whole utterance
gives what resolving the annotated value alone gives. Prints the share of turns right for
dates and for times, then examples of misses.

Usage:
    python scripts/sgd_parse_report.py [PATH] [--today 2019-03-01] [--examples 15]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tools.datetimes import resolve_date, resolve_time

DEFAULT_PATH = Path("/work/shared/data/sgd/Services_3_doctor.jsonl")
# The dialogues speak of early March 2019 ("the 13th of this month", "March 9th"). Any fixed
# day works, because the utterance and the annotated value are resolved against the same one.
DEFAULT_TODAY = date(2019, 3, 1)


@dataclass
class Tally:
    """Counts for one slot: turns seen, turns right, and the misses to show."""

    slot: str
    turns: int = 0
    correct: int = 0
    reference_unresolved: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, utterance: str, value: str, expected: object, found: object) -> None:
        self.turns += 1
        if expected is None:
            self.reference_unresolved += 1
        if expected is not None and expected == found:
            self.correct += 1
        else:
            self.misses.append((utterance, value, str(found)))

    def report(self, examples: int) -> None:
        share = self.correct / self.turns if self.turns else 0.0
        print(f"{self.slot}: {self.correct}/{self.turns} turns correct ({share:.1%})")
        print(f"  annotated value itself unresolved: {self.reference_unresolved}")
        for utterance, value, found in self.misses[:examples]:
            print(f"  miss: {utterance!r}\n        annotated {value!r}, resolved {found}")


def informed_turns(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (utterance, {slot: value}) for USER turns that inform a date or a time."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for turn in record["turns"]:
                if turn["speaker"] != "USER":
                    continue
                values = {
                    action["slot"]: action["values"][0]
                    for action in turn.get("actions") or []
                    if action["act"] == "INFORM"
                    and action["slot"] in ("appointment_date", "appointment_time")
                    and action["values"]
                }
                if values:
                    yield turn["utterance"], values


def date_key(text: str, today: date) -> tuple[str, str] | None:
    found = resolve_date(text, today=today)
    return None if found is None else (found.start.isoformat(), found.end.isoformat())


def time_key(text: str) -> tuple[str, str] | None:
    found = resolve_time(text)
    if found is None:
        return None
    return found.start.isoformat("minutes"), found.end.isoformat("minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, help="JSONL file")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=DEFAULT_TODAY, help="reference date, ISO"
    )
    parser.add_argument("--examples", type=int, default=15, help="misses to print per slot")
    arguments = parser.parse_args()

    dates, times = Tally("appointment_date"), Tally("appointment_time")
    for utterance, values in informed_turns(arguments.path):
        if "appointment_date" in values:
            value = values["appointment_date"]
            expected = date_key(value, arguments.today)
            dates.add(utterance, value, expected, date_key(utterance, arguments.today))
        if "appointment_time" in values:
            value = values["appointment_time"]
            times.add(utterance, value, time_key(value), time_key(utterance))
    print(f"{arguments.path.name}, reference date {arguments.today.isoformat()}")
    dates.report(arguments.examples)
    times.report(arguments.examples)


if __name__ == "__main__":
    main()
