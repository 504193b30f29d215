from practices.management.commands._tabular import ImportCommand
from practices.resources import import_agencies


class Command(ImportCommand):
    help = (
        "Nhập cơ quan, đơn vị từ tệp CSV, XLSX hoặc JSON (cột: mã, đường dẫn, tên, tên ngắn, "
        "tên tiếng Anh, loại, cơ quan cấp trên, vùng, hiệu lực từ/đến ngày, đơn vị kế thừa, "
        "ghi chú, nguồn). Tất cả hoặc không."
    )
    import_function = import_agencies
