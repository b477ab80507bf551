"""Voice-to-voice latency and memory of phone calls, measured end to end.

Starts ``frontdesk serve`` in a subprocess on a seeded demo clinic (offline brain), then calls
it from simulated phones (see :mod:`telephony.phone`) over the real webhook and websocket:

1. one call of at least 20 caller turns;
2. ten simultaneous calls.

For every caller turn it reports two voice-to-voice figures:

* ``caller`` - from the end of the caller's speech (the last frame of the trimmed utterance
  leaving the phone) to the first agent audio arriving at the phone; what a caller hears;
* ``server`` - from the server's estimate of the end of speech (the VAD stop less its stop
  time) to the first agent audio byte sent to Twilio, as stored in the call record.

Memory is the server's resident set size (``VmRSS``/``VmHWM`` from ``/proc``): after the
models have loaded, during one call, and at the peak of the ten calls.

Run it with ``.venv/bin/python benchmarks/voice_latency.py``; ``--help`` lists the options.
The phones run in this process on the same cores as the server, as a real deployment's
network would not, so the figures are a little pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from clinic.db import make_engine, make_session_factory
from clinic.models import Call
from telephony.phone import SimulatedPhone
from telephony.scripted_caller import ScriptedCaller, ScriptLine, TurnResult

QUESTIONS = [
    "What are your hours on Saturday?",
    "Where are you located?",
    "Is there parking?",
    "What is your fax number?",
    "Do you take Aetna?",
    "What are your hours on Monday?",
    "Do you have a patient portal?",
    "What time do you close on Friday?",
    "Where do I park?",
    "What is your address?",
    "Are you open on Sunday?",
]


@dataclass
class Measurements:
    """Latencies of one phase, in milliseconds, and the call SIDs they came from."""

    caller_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    unanswered: int = 0
    call_sids: list[str] = field(default_factory=list)


class ServerProcess:
    """``frontdesk serve`` in a subprocess, with its memory readable from ``/proc``."""

    def __init__(self, directory: Path, database_url: str, auth_token: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("FRONTDESK_") and not key.startswith("OPENAI_")
        }
        env.update(
            {
                "FRONTDESK_DATABASE_URL": database_url,
                "FRONTDESK_PUBLIC_URL": self.url,
                "FRONTDESK_TWILIO_AUTH_TOKEN": auth_token,
                "FRONTDESK_SECRET_KEY": secrets.token_urlsafe(32),
            }
        )
        command = [sys.executable, "-m", "frontdesk.cli", "serve", "--port", str(self.port)]
        self._log = (directory / "server.log").open("wb")
        self.process = subprocess.Popen(
            command, cwd=directory, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    async def wait_until_ready(self, max_wait: float = 120.0) -> None:
        deadline = time.monotonic() + max_wait
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError("The server exited while starting; see server.log.")
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(self.url + "/openapi.json")
                    if response.status_code == 200:
                        return
                await asyncio.sleep(0.25)
        raise RuntimeError("The server did not start in time.")

    def memory_kb(self) -> dict[str, int]:
        """Return ``VmRSS`` and ``VmHWM`` (peak) of the server process in kB."""
        values: dict[str, int] = {}
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
        return values

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def seed_demo(directory: Path) -> str:
    """Create and seed the demo clinic in an SQLite file; return its URL."""
    from clinic.demo import seed_demo_clinic
    from clinic.migrate import upgrade

    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        seed_demo_clinic(make_session_factory(engine), today=date.today(), now=datetime.now(UTC))
    finally:
        engine.dispose()
    return url


async def place_call(
    server: ServerProcess,
    auth_token: str,
    voice: Any,
    questions: list[str],
    measurements: Measurements,
    *,
    quiet: float,
) -> None:
    """Make one call that asks ``questions`` in turn, and record each turn's latency."""
    phone = SimulatedPhone(server.url, auth_token=auth_token)
    caller = ScriptedCaller(phone, voice, quiet_seconds=quiet)
    lines = [ScriptLine("say", question) for question in questions]
    await caller.prepare(lines)
    await phone.dial()
    measurements.call_sids.append(phone.call_sid)
    try:
        await caller.greeting()
        for line in lines:
            if phone.closed.is_set():
                measurements.unanswered += 1
                continue
            result: TurnResult = await caller.perform(line)
            if result.first_audio_ms is None:
                measurements.unanswered += 1
            else:
                measurements.caller_ms.append(result.first_audio_ms)
    finally:
        await phone.hang_up()


def server_latencies(database_url: str, call_sids: list[str]) -> list[float]:
    """Read each caller turn's server-side voice-to-voice latency from the call records."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            calls = session.scalars(select(Call).where(Call.call_sid.in_(call_sids))).all()
            return [
                float(turn.latency["voice_to_voice_ms"])
                for call in calls
                for turn in call.turns
                if turn.speaker == "caller" and turn.latency and "voice_to_voice_ms" in turn.latency
            ]
    finally:
        engine.dispose()


async def sample_memory(server: ServerProcess, peaks: dict[str, int], stop: asyncio.Event) -> None:
    """Keep the highest ``VmRSS`` seen until ``stop`` is set."""
    while not stop.is_set():
        rss = server.memory_kb()["VmRSS"]
        peaks["VmRSS"] = max(peaks.get("VmRSS", 0), rss)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def describe(name: str, values: list[float]) -> dict[str, Any]:
    if not values:
        return {"turns": 0}
    return {
        "turns": len(values),
        "p50_ms": round(percentile(values, 0.50)),
        "p95_ms": round(percentile(values, 0.95)),
        "max_ms": round(max(values)),
        "mean_ms": round(statistics.fmean(values)),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from piper import PiperVoice

    from telephony.speech import default_voice_path

    directory = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
    auth_token = secrets.token_urlsafe(24)
    database_url = seed_demo(directory)
    voice = PiperVoice.load(default_voice_path())
    server = ServerProcess(directory, database_url, auth_token)
    report: dict[str, Any] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    try:
        await server.wait_until_ready()
        await asyncio.sleep(2.0)
        report["memory_idle_kb"] = server.memory_kb()

        single = Measurements()
        peaks: dict[str, int] = {}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(server, peaks, stop))
        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(args.turns)]
        await place_call(server, auth_token, voice, questions, single, quiet=args.quiet)
        stop.set()
        await sampler
        report["memory_one_call_kb"] = peaks["VmRSS"]
        await asyncio.sleep(1.0)
        single.server_ms = server_latencies(database_url, single.call_sids)

        many = Measurements()
        peaks = {}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(server, peaks, stop))
        calls = []
        for number in range(args.calls):
            offset = number % len(QUESTIONS)
            asked = [QUESTIONS[(offset + i) % len(QUESTIONS)] for i in range(args.call_turns)]
            calls.append(place_call(server, auth_token, voice, asked, many, quiet=args.quiet))
        staggered = [_staggered(call, n * args.stagger) for n, call in enumerate(calls)]
        await asyncio.gather(*staggered)
        stop.set()
        await sampler
        report["memory_many_calls_kb"] = peaks["VmRSS"]
        report["memory_peak_kb"] = server.memory_kb()["VmHWM"]
        await asyncio.sleep(1.0)
        many.server_ms = server_latencies(database_url, many.call_sids)
    finally:
        server.stop()
        report["load_after"] = os.getloadavg()
        if args.keep:
            report["directory"] = str(directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)

    report["one_call"] = {
        "caller": describe("caller", single.caller_ms),
        "server": describe("server", single.server_ms),
        "unanswered": single.unanswered,
    }
    report["simultaneous_calls"] = {
        "calls": args.calls,
        "caller": describe("caller", many.caller_ms),
        "server": describe("server", many.server_ms),
        "unanswered": many.unanswered,
    }
    idle = report["memory_idle_kb"]["VmRSS"]
    one = report["memory_one_call_kb"]
    report["memory_per_extra_call_kb"] = round(
        (report["memory_many_calls_kb"] - one) / max(1, args.calls - 1)
    )
    report["memory_first_call_kb"] = one - idle
    return report


async def _staggered(call: Any, delay: float) -> None:
    await asyncio.sleep(delay)
    await call


def print_report(report: dict[str, Any]) -> None:
    def line(label: str, stats: dict[str, Any]) -> str:
        if not stats.get("turns"):
            return f"  {label:<8} no turns measured"
        return (
            f"  {label:<8} p50 {stats['p50_ms']:>5} ms   p95 {stats['p95_ms']:>5} ms   "
            f"max {stats['max_ms']:>5} ms   ({stats['turns']} turns)"
        )

    one = report["one_call"]
    many = report["simultaneous_calls"]
    print(f"Voice-to-voice latency, offline brain, {report['cpus']} CPUs")
    print(f"One call ({one['caller'].get('turns', 0)} turns, {one['unanswered']} unanswered):")
    print(line("caller", one["caller"]))
    print(line("server", one["server"]))
    print(f"{many['calls']} simultaneous calls ({many['unanswered']} unanswered turns):")
    print(line("caller", many["caller"]))
    print(line("server", many["server"]))
    mb = 1024
    print("Server memory (resident):")
    print(f"  models loaded, idle      {report['memory_idle_kb']['VmRSS'] / mb:7.1f} MB")
    print(f"  during one call          {report['memory_one_call_kb'] / mb:7.1f} MB")
    print(f"  during {many['calls']} calls          {report['memory_many_calls_kb'] / mb:7.1f} MB")
    print(f"  peak (VmHWM)             {report['memory_peak_kb'] / mb:7.1f} MB")
    print(f"  each further call        {report['memory_per_extra_call_kb'] / mb:7.1f} MB")
    load_before = ", ".join(f"{value:.1f}" for value in report["load_before"])
    load_after = ", ".join(f"{value:.1f}" for value in report["load_after"])
    print(f"Load average before: {load_before}; after: {load_after}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=22, help="caller turns in the single call")
    parser.add_argument("--calls", type=int, default=10, help="simultaneous calls")
    parser.add_argument(
        "--call-turns", type=int, default=6, help="caller turns in each simultaneous call"
    )
    parser.add_argument(
        "--stagger", type=float, default=0.7, help="seconds between the simultaneous calls' starts"
    )
    parser.add_argument(
        "--quiet",
        type=float,
        default=1.0,
        help="agent silence (seconds) that ends a reply before the caller's next line",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the database and server log")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
