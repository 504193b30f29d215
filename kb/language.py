"""One language for every visitor: Vietnamese, whatever the browser asks for.

Django's LocaleMiddleware would follow `Accept-Language` (and a language cookie), so an
official whose office browser is set to English would get an English admin. The public site
is Vietnamese only, and the admin is Vietnamese unless a user chooses English under their
account's "Ngôn ngữ ưa thích": Wagtail applies that choice around each admin view
(`wagtail.admin.localization.get_localized_response`), on top of the language set here.
"""

from django.conf import settings
from django.utils import translation


class SiteLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(settings.LANGUAGE_CODE):
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return self.get_response(request)
