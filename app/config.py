"""Settings from the environment (prefix ``MUSTER_``), one place for every tunable."""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = Path(".secret_key")


def _development_secret_key() -> str:
    """Generate once and keep locally, so sessions survive restarts on a developer's machine."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    SECRET_KEY_FILE.write_text(key)
    SECRET_KEY_FILE.chmod(0o600)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MUSTER_", extra="ignore")

    database_url: str = "sqlite:///./muster.db"
    secret_key: str = Field(default_factory=_development_secret_key)
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/London"
    travel_buffer_minutes: int = Field(default=30, ge=0, le=24 * 60)
    feed_refresh_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    cancelled_feed_days: int = Field(default=30, ge=0, le=3650)
    # The staffing solver's time limit; unset, it grows with the plan's size (up to 120 s).
    solver_time_limit_seconds: float | None = Field(default=None, gt=0, le=600)
    session_max_age_hours: int = Field(default=12, ge=1, le=24 * 30)
    # A sign-in unused for this long ends (the absolute limit above ends it in any case).
    session_idle_minutes: int = Field(default=120, ge=5, le=24 * 60 * 30)
    # API tokens: the life of a new token when none is asked for (at most 365 days).
    api_token_days: int = Field(default=90, ge=1, le=365)
    # Sign-in attempts allowed per minute for one account, and from one client address.
    sign_in_attempts_per_account: int = Field(default=10, ge=1, le=10_000)
    sign_in_attempts_per_address: int = Field(default=30, ge=1, le=100_000)
    # PDFs rendered at once (each takes a core and tens of MB); a request waits this long
    # for a free renderer before it is told to try again (503).
    pdf_renders_at_once: int = Field(default=2, ge=1, le=64)
    pdf_queue_seconds: float = Field(default=10.0, ge=0, le=300)
    force_name: str = "Lancashire Constabulary"
    secure_cookies: bool = False
    # E-mail. With no SMTP URL, messages are composed and kept in the outbox (the demo's way).
    smtp_url: str = ""
    mail_from: str = "Muster <muster@muster.example>"
    # Changes to one duty within this many seconds go out as one message.
    notify_delay_seconds: float = Field(default=120.0, ge=0, le=24 * 3600)
    # The hour (London time) of the "morning of the day" reminder and of the daily digest.
    morning_reminder_hour: int = Field(default=7, ge=0, le=23)
    digest_hour: int = Field(default=7, ge=0, le=23)
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    # First retry after this long, doubling each time (capped at an hour).
    outbox_retry_seconds: float = Field(default=30.0, ge=0, le=3600)
    action_link_days: int = Field(default=14, ge=1, le=90)
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Single sign-on with the force's OpenID Connect provider: on when the issuer and the
    # client id are set. Staff passwords off (false) leaves venue partners their passwords.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_button_label: str = ""
    oidc_staff_passwords: bool = True
    # Days an expression of interest from the public is kept before the worker erases it.
    interest_retention_days: int = Field(default=365, ge=1, le=3650)
    # Where the force area is, for sunset times at venues that have no position of their own.
    force_latitude: float | None = Field(default=None, ge=-90, le=90)
    force_longitude: float | None = Field(default=None, ge=-180, le=180)


@lru_cache
def get_settings() -> Settings:
    return Settings()
