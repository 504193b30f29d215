from django.db.models import Max, Q
from django.utils import timezone

from axes.models import AccessAttempt


def locked_until(username, ip_address, cool_off):
    """When a lockout on this account or this address ends: the cool-off after the last counted
    failure of either (failures made while locked are not counted, so this does not move)."""
    now = timezone.now()
    last = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=ip_address), attempt_time__gte=now - cool_off
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or now) + cool_off
