"""The LLM brain and its parts: configuration, streaming, argument checks, metrics."""

from agent.brain import InvalidToolArguments
from agent.llm.brain import LLMBrain
from agent.llm.config import LLMConfig
from agent.llm.metrics import LLMTurnMetrics

__all__ = ["InvalidToolArguments", "LLMBrain", "LLMConfig", "LLMTurnMetrics"]
