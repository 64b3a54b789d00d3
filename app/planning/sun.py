"""Sunset at a venue, in London time: when fasts are broken and the Sabbath begins."""

from datetime import date, datetime, timedelta
from functools import lru_cache

from astral import Observer
from astral.sun import sunset as _astral_sunset

from app.clock import LONDON
from app.config import get_settings
from app.venues.models import Venue

Place = tuple[float, float]


def place_of(venue: Venue) -> Place | None:
    """The venue's latitude and longitude, else the force area's centre from the settings
    (``force_latitude``/``force_longitude``, when the settings have them), else None."""
    if venue.latitude is not None and venue.longitude is not None:
        return (venue.latitude, venue.longitude)
    settings = get_settings()
    latitude = getattr(settings, "force_latitude", None)
    longitude = getattr(settings, "force_longitude", None)
    if isinstance(latitude, int | float) and isinstance(longitude, int | float):
        return (float(latitude), float(longitude))
    return None


@lru_cache(maxsize=4096)
def sunset_at(place: Place, day: date) -> datetime | None:
    """Sunset on the day at the place, aware in Europe/London; None where the sun does not
    set that day (far north in summer)."""
    try:
        return _astral_sunset(Observer(latitude=place[0], longitude=place[1]), date=day, tzinfo=LONDON)
    except ValueError:
        return None


def hhmm(moment: datetime) -> str:
    """The London wall-clock minute, rounded to the nearest: 17:36:43 → '17:37'."""
    rounded = moment.astimezone(LONDON) + timedelta(seconds=30)
    return f"{rounded:%H:%M}"
