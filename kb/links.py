"""Absolute URLs, built one way wherever the site answers a request: from that request.

The host and scheme are the ones the caller used, as the API's pagination links and its root
already are (Django checks the host against ALLOWED_HOSTS; behind the proxy,
SECURE_PROXY_SSL_HEADER makes the scheme https). Not Wagtail's `get_full_url`, which takes the
host of the `Site` record (`localhost` after `load_seed`) and so names another host than the
one being served. Only what runs without a request (the review e-mails) uses
WAGTAILADMIN_BASE_URL.
"""


def absolute_url(request, target):
    """`target` as an absolute URL: a path, a Wagtail page or a model with `get_absolute_url`."""
    if hasattr(target, "get_url"):
        path = target.get_url(request)
    elif hasattr(target, "get_absolute_url"):
        path = target.get_absolute_url()
    else:
        path = target
    return request.build_absolute_uri(path)
