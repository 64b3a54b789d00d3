from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import utc_column


class RateCounter(SQLModel, table=True):
    """Attempts in the current and the previous window for one key ("sign-in:ip:…"),
    kept in the database so that every app worker counts the same attempts."""

    __tablename__ = "rate_counter"

    key: str = Field(max_length=200, primary_key=True)
    window_start: datetime = Field(sa_column=utc_column(index=True))
    count: int = 0
    # The window before: a burst that straddles the boundary still counts as one burst.
    previous_count: int = 0
