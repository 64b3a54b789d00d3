"""Calendar feeds' secret links: made, shown, reset and revoked.

Personal and campaign feeds are reached by secret links; venue feeds and single events
are public. Serving a feed is ``serving``; what each feed says is ``content``.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.accounts.principal import Principal
from app.accounts.security import token_digest
from app.audit import service as audit
from app.campaigns.models import Campaign
from app.clock import utcnow
from app.config import get_settings
from app.enums import FeedKind
from app.errors import Conflict, NotFound
from app.feeds import content
from app.feeds.content import venue_feed_url as venue_feed_url  # for pages: the public link
from app.feeds.models import FeedToken

TOKEN_PREFIX = "cal_"
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class FeedLink:
    """A secret feed URL in the two forms clients want: https, and webcal:// (one click)."""

    kind: FeedKind
    url: str
    webcal_url: str
    created_at: datetime
    campaign_id: int | None = None


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def derive_token(nonce: str) -> str:
    """HMAC of the link's nonce under the server secret: 256 bits nobody can compute from
    the database, and rotating MUSTER_SECRET_KEY ends every link at once."""
    key = get_settings().secret_key.encode()
    mac = hmac.new(key, b"muster-calendar-link:" + nonce.encode(), hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _path_of(kind: FeedKind, token: str) -> str:
    return f"/feeds/{'people' if kind == FeedKind.person else 'campaigns'}/{token}.ics"


def _link_of(row: FeedToken) -> FeedLink | None:
    token = derive_token(row.nonce)
    if not row.nonce or token_digest(token) != row.token_hash:
        return None  # made under another secret: dead, like the URL it had
    url = content.base_url() + _path_of(FeedKind(row.kind), token)
    return FeedLink(
        kind=FeedKind(row.kind),
        url=url,
        webcal_url=_webcal(url),
        created_at=row.created_at,
        campaign_id=row.campaign_id,
    )


def event_ics_url(event_id: int) -> str:
    """The public "add to calendar" download of one event."""
    return f"{content.base_url()}/events/{event_id}.ics"


def webcal_url(url: str) -> str:
    """The webcal:// form of a feed URL, which calendar apps open as a subscription."""
    return _webcal(url)


def _active_rows(
    session: Session, *, user_id: int, kind: FeedKind, campaign_id: int | None = None
) -> list[FeedToken]:
    query = select(FeedToken).where(
        FeedToken.user_id == user_id, FeedToken.kind == kind, col(FeedToken.revoked_at).is_(None)
    )
    if campaign_id is not None:
        query = query.where(FeedToken.campaign_id == campaign_id)
    return list(session.exec(query.order_by(col(FeedToken.id).desc())).all())


def _current(
    session: Session, *, user_id: int, kind: FeedKind, campaign_id: int | None = None
) -> FeedLink | None:
    for row in _active_rows(session, user_id=user_id, kind=kind, campaign_id=campaign_id):
        link = _link_of(row)
        if link is not None:
            return link
    return None


def _audit(session: Session, principal: Principal, action: str, row: FeedToken, done: str) -> None:
    """'campaign calendar link revoked (campaign 4)': the trail never holds the link itself."""
    of_campaign = f" (campaign {row.campaign_id})" if row.campaign_id else ""
    audit.note(session, principal.actor, action, row, f"{row.kind} calendar link {done}{of_campaign}")


def _revoke(session: Session, principal: Principal, *, kind: FeedKind, campaign_id: int | None = None) -> int:
    rows = _active_rows(session, user_id=principal.user_id, kind=kind, campaign_id=campaign_id)
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        session.add(row)
        _audit(session, principal, "revoke", row, "revoked")
    return len(rows)


def _issue(
    session: Session,
    principal: Principal,
    *,
    kind: FeedKind,
    person_id: int | None = None,
    campaign_id: int | None = None,
) -> FeedLink:
    nonce = secrets.token_hex(16)
    row = FeedToken(
        kind=kind,
        user_id=principal.user_id,
        person_id=person_id,
        campaign_id=campaign_id,
        nonce=nonce,
        token_hash=token_digest(derive_token(nonce)),
    )
    session.add(row)
    session.flush()
    _audit(session, principal, "create", row, "created")
    link = _link_of(row)
    assert link is not None
    return link


def _person_of(principal: Principal) -> int:
    if principal.person_id is None:
        raise Conflict(
            "your account is not linked to a person in Muster, so there are no duties to put in a "
            "calendar; ask an administrator to link it"
        )
    return principal.person_id


def person_feed_link(*, session: Session, principal: Principal) -> FeedLink | None:
    """The caller's personal calendar link, or None until they turn it on."""
    if principal.person_id is None:
        return None
    return _current(session, user_id=principal.user_id, kind=FeedKind.person)


def feed_links(*, session: Session, principal: Principal) -> list[FeedLink]:
    """Every live secret link of the caller: the personal one first, then campaigns'."""
    links = []
    personal = person_feed_link(session=session, principal=principal)
    if personal is not None:
        links.append(personal)
    if principal.is_planner:
        for row in _active_rows(session, user_id=principal.user_id, kind=FeedKind.campaign):
            link = _link_of(row)
            if link is not None:
                links.append(link)
    return links


def create_person_feed(*, session: Session, principal: Principal) -> tuple[FeedLink, bool]:
    """Turn on the caller's personal feed; (link, True) if new, the existing link if on."""
    person_id = _person_of(principal)
    existing = person_feed_link(session=session, principal=principal)
    if existing is not None:
        return existing, False
    _revoke(session, principal, kind=FeedKind.person)  # links dead by a secret rotation
    link = _issue(session, principal, kind=FeedKind.person, person_id=person_id)
    session.commit()
    return link, True


def reset_person_feed(*, session: Session, principal: Principal) -> FeedLink:
    """Revoke the caller's personal link (it answers 404 at once) and issue a new one."""
    person_id = _person_of(principal)
    _revoke(session, principal, kind=FeedKind.person)
    link = _issue(session, principal, kind=FeedKind.person, person_id=person_id)
    session.commit()
    return link


def revoke_person_feed(*, session: Session, principal: Principal) -> bool:
    """Turn the caller's personal feed off; True if there was one."""
    count = _revoke(session, principal, kind=FeedKind.person)
    session.commit()
    return count > 0


def _check_campaign(session: Session, campaign_id: int) -> None:
    if session.get(Campaign, campaign_id) is None:
        raise NotFound(f"campaign {campaign_id} does not exist")


def campaign_feed_link(*, session: Session, principal: Principal, campaign_id: int) -> FeedLink | None:
    """The caller's secret link to a campaign's feed, or None."""
    _check_campaign(session, campaign_id)
    return _current(session, user_id=principal.user_id, kind=FeedKind.campaign, campaign_id=campaign_id)


def create_campaign_feed(
    *, session: Session, principal: Principal, campaign_id: int
) -> tuple[FeedLink, bool]:
    """A coordinator's secret link to a campaign's feed; (link, True) if new."""
    existing = campaign_feed_link(session=session, principal=principal, campaign_id=campaign_id)
    if existing is not None:
        return existing, False
    _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    link = _issue(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return link, True


def reset_campaign_feed(*, session: Session, principal: Principal, campaign_id: int) -> FeedLink:
    """Revoke the caller's link to a campaign's feed and issue a new one."""
    _check_campaign(session, campaign_id)
    _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    link = _issue(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return link


def revoke_campaign_feed(*, session: Session, principal: Principal, campaign_id: int) -> bool:
    """Revoke the caller's link to a campaign's feed; True if there was one."""
    _check_campaign(session, campaign_id)
    count = _revoke(session, principal, kind=FeedKind.campaign, campaign_id=campaign_id)
    session.commit()
    return count > 0
