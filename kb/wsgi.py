import os

from django.core.wsgi import get_wsgi_application

from kb import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")

application = get_wsgi_application()
collector.tune()
