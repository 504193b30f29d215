from django.http import JsonResponse

UNKNOWN = "Không có địa chỉ này trong API mở; xem mô tả API tại /api/v1/schema/xem/."


def unknown(request, rest=""):
    """Any address under /api/v1/ that no view answers: a JSON 404 with `error`, as every
    refusal of the API, rather than the site's HTML page."""
    return JsonResponse({"error": UNKNOWN}, status=404, json_dumps_params={"ensure_ascii": False})
