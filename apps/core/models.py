from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a creating POST sent with an `Idempotency-Key`.

    The unique (user, key) row, or (client, key) for an anonymous request,
    is inserted in the same transaction as the work it guards, so a
    concurrent request with the same key waits on the row lock and then
    reads the stored answer.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # A keyed hash of an anonymous requester's address, never the address.
    client = models.CharField(_("anonymous client"), max_length=64, blank=True)
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="core_idempotency_user_key_unique"
            ),
            models.UniqueConstraint(
                fields=["client", "key"],
                condition=models.Q(user__isnull=True),
                name="core_idempotency_client_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.user_id or 'anonymous'}:{self.key}"
