from practices.management.commands._tabular import ExportCommand
from practices.resources import export_practices


class Command(ExportCommand):
    help = (
        "Xuất danh mục sáng kiến ra CSV, XLSX hoặc JSON, cùng các cột mà import_practices đọc được."
    )

    def export(self, options, file_format):
        return export_practices(file_format=file_format)
