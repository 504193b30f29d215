"""Dates in the admin and on the site: typed and shown as dd/mm/yyyy, whatever the language.

Django's own Vietnamese formats spell dates out ("Ngày 10 tháng 1 năm 2025") and its English
ones read 10/01/2025 as the 1st of October; both admin languages use these instead
(FORMAT_MODULE_PATH, kb.settings.base). The input formats are those the import files accept
(practices.resources.widgets.DateWidget), day first, never month first; Django adds ISO
yyyy-mm-dd itself.
"""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]

# Django's template syntax (the `date` filter, listings, Wagtail's history tooltips).
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
# Weeks start on Monday (Thứ Hai) in the date picker.
FIRST_DAY_OF_WEEK = 1
