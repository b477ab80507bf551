"""The LLM brain's endpoint settings: URL, key, model, timeouts and retry budget."""

from __future__ import annotations

from dataclasses import dataclass

import openai

from frontdesk.settings import Settings

# Local servers (vLLM, Ollama, llama.cpp) accept any key, but the client refuses to start
# without one.
PLACEHOLDER_API_KEY = "not-needed"


@dataclass(frozen=True)
class LLMConfig:
    """The LLM brain's connection and time budget.

    Attributes:
        model: The model name sent with each request.
        base_url: An OpenAI-compatible endpoint ending in ``/v1``; None means OpenAI's.
        api_key: The bearer token; None sends a placeholder, for local servers.
        temperature: Sampling temperature.
        connect_timeout: Seconds to open a connection.
        first_token_timeout: Seconds from sending a request to the first token of text or
            tool call. It is also the longest silence allowed between two chunks.
        reply_timeout: Seconds for one :meth:`LLMBrain.reply`, retries and argument repair
            included.
        max_retries: Extra requests allowed per reply after HTTP 408/409/429/5xx or a
            refused connection, while nothing of the reply has been yielded yet.
        stream: Stream responses; False requests whole responses, for servers that cannot
            stream tool calls. The first-token budget then covers the whole response.
    """

    model: str
    base_url: str | None = None
    api_key: str | None = None
    temperature: float = 0.2
    connect_timeout: float = 3.0
    first_token_timeout: float = 4.0
    reply_timeout: float = 10.0
    max_retries: int = 1
    stream: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMConfig:
        """Build the configuration from the ``FRONTDESK_LLM_*`` settings."""
        api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=api_key,
            temperature=settings.llm_temperature,
            connect_timeout=settings.llm_connect_timeout_seconds,
            first_token_timeout=settings.llm_first_token_timeout_seconds,
            reply_timeout=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
            stream=settings.llm_stream,
        )

    def make_client(self) -> openai.AsyncOpenAI:
        """Create the client; its own retries are off because the brain retries itself."""
        timeout = openai.Timeout(
            self.reply_timeout,
            connect=self.connect_timeout,
            read=self.first_token_timeout,
            pool=self.connect_timeout,
        )
        return openai.AsyncOpenAI(
            api_key=self.api_key or PLACEHOLDER_API_KEY,
            base_url=self.base_url,
            timeout=timeout,
            max_retries=0,
        )
