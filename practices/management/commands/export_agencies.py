from practices.management.commands._tabular import ExportCommand
from practices.resources import export_agencies


class Command(ExportCommand):
    help = (
        "Xuất cơ quan, đơn vị (mọi thời kỳ, đơn vị cấp trên trước) ra CSV, XLSX hoặc JSON, "
        "cùng các cột mà import_agencies đọc được."
    )

    def export(self, options, file_format):
        return export_agencies(file_format=file_format)
