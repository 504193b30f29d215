from indicators.transfer import export_indicator_values
from practices.management.commands._tabular import ExportCommand


class Command(ExportCommand):
    help = (
        "Xuất giá trị chỉ số (số đo và chỉ tiêu) ra CSV, XLSX hoặc JSON, cùng các cột mà "
        "import_indicator_values đọc được."
    )

    def export(self, options, file_format):
        return export_indicator_values(file_format=file_format)
