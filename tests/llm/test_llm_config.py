"""LLMConfig: from the FRONTDESK_LLM_* settings to the openai client."""

from __future__ import annotations

from pydantic import SecretStr

from agent.llm import LLMConfig
from agent.llm.config import PLACEHOLDER_API_KEY
from frontdesk.settings import Settings


def test_config_from_settings() -> None:
    settings = Settings(
        llm_base_url="http://127.0.0.1:11434/v1",
        llm_api_key=SecretStr("sk-test"),
        llm_model="llama3.1:8b",
        llm_temperature=0.0,
        llm_connect_timeout_seconds=1.5,
        llm_first_token_timeout_seconds=2.5,
        llm_timeout_seconds=8.0,
        llm_max_retries=3,
        llm_stream=False,
    )

    config = LLMConfig.from_settings(settings)

    assert config == LLMConfig(
        model="llama3.1:8b",
        base_url="http://127.0.0.1:11434/v1",
        api_key="sk-test",
        temperature=0.0,
        connect_timeout=1.5,
        first_token_timeout=2.5,
        reply_timeout=8.0,
        max_retries=3,
        stream=False,
    )


async def test_client_timeouts_and_retries() -> None:
    config = LLMConfig(
        model="m",
        base_url="http://127.0.0.1:9/v1",
        connect_timeout=1.5,
        first_token_timeout=2.5,
        reply_timeout=8.0,
    )

    client = config.make_client()
    try:
        assert client.max_retries == 0
        assert client.timeout.connect == 1.5
        assert client.timeout.read == 2.5
        assert str(client.base_url) == "http://127.0.0.1:9/v1/"
    finally:
        await client.close()


async def test_client_without_key_uses_placeholder() -> None:
    client = LLMConfig(model="m", base_url="http://127.0.0.1:9/v1").make_client()
    try:
        assert client.api_key == PLACEHOLDER_API_KEY
    finally:
        await client.close()
