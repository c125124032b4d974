"""Single-use, expiring links sent by e-mail: an invitation to set one's password, a password
reset, the confirmation of a new e-mail address (docs/notifications.md §Accounts).

Only the token's SHA-256 is stored. Opening a link (GET) only checks it, since mail scanners open
links too; the form behind it redeems it, with one conditional UPDATE, so it works once.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select, update

from app.accounts import passwords, service, sessions
from app.accounts.models import AccountLink, LinkPurpose, User
from app.db_types import utcnow
from app.errors import DomainError, Invalid
from app.i18n import N_, gettext, speaking
from app.mail import compose, outbox
from app.settings import get_settings
from app.trail import service as trail

RESET_COOLDOWN = timedelta(minutes=2)  # one reset mail per account per two minutes: no mail bombing


class LinkExpired(DomainError):
    status_code = 410
    message = N_("This link has expired or was already used. Ask for a new one.")


class EmailUnchanged(Invalid):
    message = N_("This is already your e-mail address.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(purpose: LinkPurpose) -> timedelta:
    settings = get_settings()
    if purpose == LinkPurpose.password_reset:
        return timedelta(minutes=settings.password_reset_minutes)
    return timedelta(hours=settings.invitation_hours)


def issue(session: Session, *, user: User, purpose: LinkPurpose,
          new_email: str | None = None) -> tuple[str, AccountLink]:
    """A new link and its token; earlier unused links of the same purpose stop working."""
    now = utcnow()
    session.exec(update(AccountLink)  # type: ignore[call-overload]
                 .where(col(AccountLink.user_id) == user.id, col(AccountLink.purpose) == purpose.value,
                        col(AccountLink.used_at).is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    link = AccountLink(user_id=user.id or 0, purpose=purpose.value, token_hash=_digest(token),
                       new_email=new_email, expires_at=now + _lifetime(purpose))
    session.add(link)
    session.flush()
    return token, link


def check(session: Session, *, token: str, purpose: LinkPurpose) -> tuple[AccountLink, User]:
    """The live link and its user, without using it up. Raises LinkExpired."""
    link = session.exec(select(AccountLink).where(AccountLink.token_hash == _digest(token),
                                                  AccountLink.purpose == purpose.value)).first()
    user = session.get(User, link.user_id) if link else None
    if link is None or user is None or link.used_at is not None or link.expires_at <= utcnow():
        raise LinkExpired()
    if purpose != LinkPurpose.invitation and not user.active:
        raise LinkExpired()
    return link, user


def _redeem(session: Session, *, token: str, purpose: LinkPurpose) -> tuple[AccountLink, User]:
    link, user = check(session, token=token, purpose=purpose)
    used = session.exec(update(AccountLink)  # type: ignore[call-overload]
                        .where(col(AccountLink.id) == link.id, col(AccountLink.used_at).is_(None))
                        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # a second tab, a double tap: the first one won
        raise LinkExpired()
    return link, user


def _send(session: Session, *, user: User, to: str, link: AccountLink, path: str) -> None:
    purpose = LinkPurpose(link.purpose)
    with speaking(user.language or get_settings().default_language):
        texts = {
            LinkPurpose.invitation: (N_("You are invited to Mystery Patient"),
                                     [N_("An administrator created an account for you."),
                                      N_("Open the link to choose your password. It works once and expires in "
                                         "{hours} hours.")], N_("Set my password")),
            LinkPurpose.password_reset: (N_("Reset your Mystery Patient password"),
                                         [N_("Someone asked to reset the password of this account."),
                                          N_("Open the link to choose a new password. It works once and expires in "
                                             "{minutes} minutes. If it was not you, ignore this e-mail.")],
                                         N_("Choose a new password")),
            LinkPurpose.email_change: (N_("Confirm your new e-mail address"),
                                       [N_("Confirm that Mystery Patient should send your e-mail here from now on."),
                                        N_("The link works once and expires in {hours} hours.")],
                                       N_("Confirm this address")),
        }
        subject, lines, action = texts[purpose]
        settings = get_settings()
        values = {"hours": settings.invitation_hours, "minutes": settings.password_reset_minutes}
        title = gettext(subject)
        body = compose.render_body(title=title, lines=[gettext(line).format(**values) for line in lines],
                                   link=f"{settings.public_url}{path}", action=gettext(action), footer=[])
    outbox.queue_mail(session, to=to, user_id=user.id, event_name=purpose.value, dedupe_key=f"link:{link.id}",
                      language=user.language or settings.default_language, subject=title, body=body)


def invite(session: Session, *, user: User, actor: User | None) -> None:
    """E-mail the new user a link to set their own password."""
    token, link = issue(session, user=user, purpose=LinkPurpose.invitation)
    _send(session, user=user, to=user.email, link=link, path=f"/account/invitation/{token}")
    trail.record(session, actor=actor, verb="user.invite", entity="user", entity_id=user.id)


def request_password_reset(session: Session, *, email: str) -> None:
    """A reset link for an active account with this address; nothing at all otherwise. The caller
    answers the same either way, so the page never tells whether an account exists."""
    user = service.find_user(session, email)
    if user is None or not user.active:
        passwords.verify_password(None, email)  # the same slow hash as the other path: same timing class
        return
    recent = session.exec(select(AccountLink.id).where(
        AccountLink.user_id == user.id, AccountLink.purpose == LinkPurpose.password_reset.value,
        col(AccountLink.created_at) > utcnow() - RESET_COOLDOWN)).first()
    passwords.verify_password(None, email)
    if recent is not None:
        return
    token, link = issue(session, user=user, purpose=LinkPurpose.password_reset)
    _send(session, user=user, to=user.email, link=link, path=f"/password/reset/{token}")


def set_password_by_link(session: Session, *, token: str, purpose: LinkPurpose, new_password: str) -> User:
    """Redeem an invitation or reset link with a new password; every session of the user ends.

    Raises LinkExpired, WeakPassword."""
    passwords.check_strength(new_password)
    _link, user = _redeem(session, token=token, purpose=purpose)
    service.change_password(session, user=user, new_password=new_password, actor=user)
    return user


def request_email_change(session: Session, *, user: User, new_email: str, current_password: str) -> None:
    """Send a confirmation link to the new address; the address changes only once it is followed.

    Raises WrongCurrentPassword, EmailUnchanged, EmailTaken, Invalid."""
    new_email = service.normalize_email(new_email)
    if not passwords.verify_password(user.password_hash, current_password):
        raise service.WrongCurrentPassword()
    if new_email == user.email:
        raise EmailUnchanged()
    if service.find_user(session, new_email) is not None:
        raise service.EmailTaken()
    token, link = issue(session, user=user, purpose=LinkPurpose.email_change, new_email=new_email)
    _send(session, user=user, to=new_email, link=link, path=f"/account/email/{token}")


def confirm_email_change(session: Session, *, token: str) -> User:
    """Raises LinkExpired, EmailTaken (someone took the address meanwhile)."""
    link, user = _redeem(session, token=token, purpose=LinkPurpose.email_change)
    assert link.new_email is not None
    if service.find_user(session, link.new_email) is not None:
        raise service.EmailTaken()
    old = user.email
    user.email = link.new_email
    session.add(user)
    sessions.revoke_all(session, user_id=user.id or 0)  # the address logs in: old sessions go
    trail.record(session, actor=user, verb="user.email", entity="user", entity_id=user.id, old=old, new=user.email)
    return user
