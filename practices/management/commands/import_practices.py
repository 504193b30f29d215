from practices.management.commands._tabular import ImportCommand
from practices.resources import import_practices


class Command(ImportCommand):
    help = (
        "Nhập và đăng danh mục sáng kiến từ tệp CSV, XLSX hoặc JSON (cột: đường dẫn, tên sáng "
        "kiến, nhóm, tóm tắt, căn cứ pháp lý, cơ quan khởi xướng, cơ quan công bố, chỉ số, "
        "nội dung Markdown). Tất cả hoặc không."
    )
    import_function = import_practices
