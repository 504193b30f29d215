"""A user's TOTP device: one per user (an official has one phone; changing phones means removing
the old device, then enrolling the new one)."""

import base64

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_device(user):
    """The device being enrolled, reused across reloads so that the QR code stays the same."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


def confirm(device):
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()


def remove_devices(user):
    return TOTPDevice.objects.filter(user=user).delete()[0]


def qr_svg(device):
    """The enrolment QR code as inline SVG markup (an element, not a script: CSP allows it)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def secret_for_typing(device):
    """The key as authenticator apps ask for it when typed by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
