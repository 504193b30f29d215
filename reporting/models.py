"""Who reports for which agency."""

from django.conf import settings
from django.db import models


class AgencyMembership(models.Model):
    """A reporter of `agency`: reports for it and for its departments, never for others."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="agency_memberships",
    )
    agency = models.ForeignKey(
        "practices.Agency",
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        verbose_name = "thành viên báo cáo của cơ quan"
        verbose_name_plural = "thành viên báo cáo của cơ quan"
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.agency}"
