"""Empties a flag's cache when its companies change.

Waffle does this itself for a flag's users and groups.
"""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Flag


@receiver(m2m_changed, sender=Flag.companies.through)
def flag_companies_changed(sender, instance, action, pk_set, **kwargs):
    if isinstance(instance, Flag):
        if action in ("post_add", "post_remove", "post_clear"):
            instance.flush()
        return
    # Changed from the company's side. A clear does not say which flags it
    # removes, so they are read before it runs.
    if action == "pre_clear":
        flags = instance.feature_flags.all()
    elif action in ("post_add", "post_remove"):
        flags = Flag.objects.filter(pk__in=pk_set)
    else:
        return
    for flag in flags:
        flag.flush()
