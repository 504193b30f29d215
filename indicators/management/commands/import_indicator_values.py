from indicators.transfer import import_indicator_values
from practices.management.commands._tabular import ImportCommand


class Command(ImportCommand):
    help = (
        "Nhập giá trị chỉ số từ tệp CSV, XLSX hoặc JSON (cột: chỉ số, cơ quan hoặc “Cả nước”, "
        "loại kỳ, ngày đầu kỳ, giá trị, loại số liệu, nguồn, văn bản giao chỉ tiêu, ghi chú). "
        "Tất cả hoặc không: chỉ một dòng lỗi là không dòng nào được lưu."
    )
    import_function = import_indicator_values
