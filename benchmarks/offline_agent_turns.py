"""Time the agent's turns with the offline brain: caller text in, first sentence out.

Seeds the demo clinic into a fresh SQLite file, then drives scripted calls through
:func:`agent.factory.build_session` (booking, rescheduling with a refill, clinic hours),
sequentially and then ``--concurrency`` at a time, and prints for each run the median and
95th percentile in milliseconds of:

- first sentence: from the caller's turn to the first :class:`agent.events.Speech`;
- whole turn: to the turn's :class:`agent.events.TurnInfo`, tool calls included.

The concurrent run leaves ``--pause`` seconds between a reply and the next caller turn,
standing in for the caller speaking; the sequential run leaves none.

The first-sentence time is the agent's share of the voice-to-voice budget (p50 at most
500 ms, p95 at most 900 ms, with speech-to-text and text-to-speech taking the rest).

    .venv/bin/python benchmarks/offline_agent_turns.py --calls 20 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from agent.events import Speech, TurnInfo
from agent.factory import build_session
from clinic.db import make_engine, make_session_factory
from clinic.demo import DEMO_TODAY, seed_demo_clinic
from clinic.migrate import upgrade
from frontdesk.settings import Settings

SCRIPTS: tuple[tuple[str, ...], ...] = (
    (
        "I'd like to book a follow-up with Dr. Patel next Tuesday morning",
        "Margaret Chen",
        "April 12th, 1958",
        "the first one",
        "yes",
        "no, that's all",
    ),
    (
        "I need to reschedule and refill my lisinopril",
        "Margaret Chen, April 12 1958",
        "next Thursday afternoon",
        "the second one",
        "yes",
        "yes",
        "no thanks",
    ),
    ("What are your hours?", "And where do I park?", "no, that's all"),
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


async def _one_call(
    factory: sessionmaker[Session],
    settings: Settings,
    now: object,
    script: tuple[str, ...],
    pause: float,
) -> list[tuple[float, float]]:
    session = build_session(
        settings,
        factory,
        call_sid=f"BENCH{uuid.uuid4().hex[:26]}",
        caller_number="+18025550142",
        channel="eval",
        now=now,  # type: ignore[arg-type]
    )
    async for _ in session.greet():
        pass
    timings: list[tuple[float, float]] = []
    for line in script:
        # The caller speaks and speech-to-text finishes before the next turn arrives.
        await asyncio.sleep(pause)
        started = time.perf_counter()
        first: float | None = None
        async for event in session.respond(line):
            if isinstance(event, Speech) and first is None:
                first = time.perf_counter() - started
            if isinstance(event, TurnInfo):
                total = time.perf_counter() - started
                timings.append(((first or total) * 1000, total * 1000))
    await session.finish()
    return timings


async def _run(
    factory: sessionmaker[Session],
    settings: Settings,
    now: object,
    calls: int,
    concurrency: int,
    pause: float,
) -> list[tuple[float, float]]:
    semaphore = asyncio.Semaphore(concurrency)
    results: list[tuple[float, float]] = []

    async def limited(index: int) -> None:
        async with semaphore:
            script = SCRIPTS[index % len(SCRIPTS)]
            results.extend(await _one_call(factory, settings, now, script, pause))

    await asyncio.gather(*(limited(i) for i in range(calls)))
    return results


def _report(label: str, timings: list[tuple[float, float]]) -> None:
    first = [t[0] for t in timings]
    total = [t[1] for t in timings]
    print(
        f"{label}: {len(timings)} turns; first sentence p50 {statistics.median(first):.1f} ms, "
        f"p95 {_percentile(first, 0.95):.1f} ms; whole turn p50 {statistics.median(total):.1f} "
        f"ms, p95 {_percentile(total, 0.95):.1f} ms"
    )


def main() -> None:
    """Seed the demo clinic and print turn timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=12, help="calls per run (default: 12)")
    parser.add_argument(
        "--concurrency", type=int, default=10, help="calls at once in the second run"
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=1.0,
        help="seconds between a reply and the next caller turn (default: 1.0)",
    )
    args = parser.parse_args()
    settings = Settings(llm_base_url=None, llm_api_key=None)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        facts = seed_demo_clinic(factory, today=DEMO_TODAY)
        sequential = asyncio.run(_run(factory, settings, facts.now, args.calls, 1, 0.0))
        _report("one call at a time", sequential)
        parallel = asyncio.run(
            _run(factory, settings, facts.now, args.calls, args.concurrency, args.pause)
        )
        _report(f"{args.concurrency} calls at once", parallel)
        engine.dispose()


if __name__ == "__main__":
    main()
