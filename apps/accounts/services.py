"""Writes for users and their memberships."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.companies.models import Company, Membership, Role
from apps.core.errors import ValidationFailed

from .errors import EmailTaken, LastAdmin
from .models import User


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"password": list(exc.messages)}) from None


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


@transaction.atomic
def user_create(
    *,
    email: str,
    name: str = "",
    phone: str = "",
    language: str = "",
    password: str | None = None,
) -> User:
    """Create a user; the email is unique regardless of case.

    Without a password the account cannot sign in until one is set.
    """
    email = User.objects.normalize_email(email).lower()
    if email_taken(email):
        raise EmailTaken()
    user = User(email=email, name=name, phone=phone or "", language=language or "")
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise EmailTaken() from None
    return user


@transaction.atomic
def membership_create(*, user: User, company: Company, role: str) -> Membership:
    """Join a user to a company; an `actor` membership gets its actor profile.

    A membership that was deactivated (see `membership_remove`) comes back
    with the new role instead of a second row.
    """
    existing = (
        Membership.objects.select_for_update()
        .filter(user=user, company=company)
        .first()
    )
    already = ValidationFailed(
        fields={"user": [_("This user is already a member of the company.")]}
    )
    if existing is not None and existing.is_active:
        raise already
    if existing is not None:
        existing.role = role
        existing.is_active = True
        existing.save(update_fields=["role", "is_active", "updated_at"])
        return existing
    # No row to lock yet: of two requests adding the same person at once,
    # the unique constraint stops the second.
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, company=company, role=role)
    except IntegrityError:
        raise already from None


def _require_another_admin(membership: Membership) -> None:
    """Refuse to take away the company's last active admin.

    The company row is locked first, so two admins who demote each other at
    once are serialised and the second finds no other admin left.
    """
    if not membership.is_active_admin:
        return
    Company.objects.select_for_update().filter(pk=membership.company_id).first()
    if not membership.has_other_admin():
        raise LastAdmin()


@transaction.atomic
def membership_update(*, membership: Membership, data: dict) -> Membership:
    """Change a membership's role or active flag.

    Raises `LastAdmin` when the change would leave the company without an
    active admin; the super admin is held to it too.
    """
    stays_admin = data.get("role", membership.role) == Role.ADMIN and data.get(
        "is_active", membership.is_active
    )
    if not stays_admin:
        _require_another_admin(membership)
    for field, value in data.items():
        setattr(membership, field, value)
    membership.save(update_fields=[*data.keys(), "updated_at"])
    return membership


def _has_history(membership: Membership) -> bool:
    actor = getattr(membership, "actor_profile", None)
    return actor is not None and actor.appointments.exists()


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Take a user out of a company.

    An actor whose appointments still name them is deactivated instead of
    deleted (their profile stops being bookable), so the company's history
    keeps its staff; any other membership is deleted. Raises `LastAdmin`
    for the company's last active admin.
    """
    _require_another_admin(membership)
    if _has_history(membership):
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
        actor = membership.actor_profile
        actor.is_bookable = False
        actor.save(update_fields=["is_bookable", "updated_at"])
    else:
        membership.delete()


@transaction.atomic
def customer_register(
    *,
    company: Company,
    email: str,
    name: str,
    phone: str = "",
    password: str,
    language: str = "",
) -> User:
    """Self-registration: the person becomes a `customer` of the company.

    A new email makes a new user. An existing active account joins the
    company when the password is that account's own (its profile is left as
    it is; the name, phone and language sent are ignored). Any other existing
    email raises `EmailTaken`, exactly as a taken email always did, so a
    wrong password learns nothing a registration would not.
    """
    existing = User.objects.filter(
        email__iexact=User.objects.normalize_email(email).lower()
    ).first()
    if existing is None:
        user = user_create(
            email=email, name=name, phone=phone, language=language, password=password
        )
    elif existing.is_active and existing.check_password(password):
        user = existing
        membership = user.memberships.filter(company=company).first()
        if membership is not None and membership.is_active:
            raise ValidationFailed(
                fields={"email": [_("You are already a member of this company.")]}
            )
        if membership is not None:
            # The company ended this membership; only its staff bring it back.
            raise ValidationFailed(
                fields={
                    "email": [
                        _(
                            "This company has closed your account with it; "
                            "please contact the company."
                        )
                    ]
                }
            )
    else:
        raise EmailTaken()
    membership_create(user=user, company=company, role=Role.CUSTOMER)
    return user


def user_update(*, user: User, data: dict) -> User:
    """Change a user's profile fields; a new password is validated first."""
    password = data.pop("password", None)
    if "email" in data:
        email = User.objects.normalize_email(data["email"]).lower()
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ValidationFailed(
                fields={"email": [_("A user with this email already exists.")]}
            )
        data["email"] = email
    for field, value in data.items():
        setattr(user, field, value)
    if password:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    return user
