"""Keeps actor profiles in step with memberships, however they are made."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.companies.models import Membership, Role

from .models import Actor


@receiver(post_save, sender=Membership, dispatch_uid="actor_profile_for_membership")
def ensure_actor_profile(sender, instance: Membership, **kwargs) -> None:
    """An `actor` membership always has a profile; leaving the role unbooks it."""
    profile = Actor.objects.filter(membership=instance).first()
    if instance.role == Role.ACTOR:
        if profile is None:
            Actor.objects.create(
                company_id=instance.company_id,
                user_id=instance.user_id,
                membership=instance,
                display_name=instance.user.name or instance.user.email.split("@")[0],
            )
        elif not profile.is_bookable and instance.is_active:
            profile.is_bookable = True
            profile.save(update_fields=["is_bookable", "updated_at"])
    elif profile is not None and profile.is_bookable:
        profile.is_bookable = False
        profile.save(update_fields=["is_bookable", "updated_at"])
