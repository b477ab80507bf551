"""The LLM brain, as the agent factory imports it; the code lives in :mod:`agent.llm`."""

from agent.llm import InvalidToolArguments, LLMBrain, LLMConfig, LLMTurnMetrics

__all__ = ["InvalidToolArguments", "LLMBrain", "LLMConfig", "LLMTurnMetrics"]
