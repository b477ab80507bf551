"""The offline brain: a deterministic, rule-based receptionist.

It is the default without an LLM, the fallback when the LLM fails mid-call, and what evals
run on in CI. It finds intents and fills slots with real date, time, number and name
parsing, and it drives the same tools through the same agent loop as the LLM brain: it
yields text and tool-call steps and never touches the database itself.
"""

from agent.offline.brain import OfflineBrain

__all__ = ["OfflineBrain"]
