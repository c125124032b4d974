"""Password hashing with argon2id (OWASP parameters), rehashed on login when they change."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.errors import Invalid
from app.i18n import N_

MIN_LENGTH = 12
# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Spent on unknown e-mails too, so timing does not tell whether an account exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0000")


class WeakPassword(Invalid):
    message = N_("The password must be at least {min_length} characters long.")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(min_length=MIN_LENGTH)


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def rehash(password: str) -> str:
    """A new hash of a password that was just verified, with the current parameters. No strength check:
    an older, shorter password must not stop its owner from logging in (they are asked to change it)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
