"""The LLM brain and its parts: configuration, streaming, argument checks, metrics."""

from agent.llm.brain import InvalidToolArguments, LLMBrain
from agent.llm.config import LLMConfig
from agent.llm.metrics import LLMTurnMetrics

__all__ = ["InvalidToolArguments", "LLMBrain", "LLMConfig", "LLMTurnMetrics"]
