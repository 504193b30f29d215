"""The home page's figures for its chart: public adoptions by status (one query)."""

from django.db.models import Count

from practices.models import Adoption


def public_adoptions_by_status():
    """{status: number of public adoptions whose current status it is}."""
    rows = Adoption.objects.public().values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}
