"""What an import reports: its totals, each row's status, and each error with its place in the
file."""

from dataclasses import dataclass, field

from import_export.results import RowResult


@dataclass
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str
    value: str
    reason: str

    def __str__(self):
        if not self.row:
            return self.reason
        where = f"dòng {self.row}" + (f", cột “{self.column}”" if self.column else "")
        value = f" (giá trị “{self.value}”)" if self.value not in ("", None) else ""
        return f"{where}{value}: {self.reason}"


ROW_STATUS_LABELS = {
    RowResult.IMPORT_TYPE_NEW: "Mới",
    RowResult.IMPORT_TYPE_UPDATE: "Thay đổi",
    RowResult.IMPORT_TYPE_SKIP: "Không đổi",
    RowResult.IMPORT_TYPE_ERROR: "Lỗi",
    RowResult.IMPORT_TYPE_INVALID: "Lỗi",
}


@dataclass
class RowStatus:
    row: int
    status: str  # new, update, skip, error, invalid
    cells: tuple  # the values that name the row, under ImportReport.row_headers

    @property
    def label(self):
        return ROW_STATUS_LABELS.get(self.status, self.status)

    @property
    def is_error(self):
        return self.status in (RowResult.IMPORT_TYPE_ERROR, RowResult.IMPORT_TYPE_INVALID)


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    dry_run: bool = False
    ignored_columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # RowStatus per data row, in file order
    as_reports: bool = False  # rows entered as reports awaiting review, not published
    row_headers: tuple = ()  # headers of RowStatus.cells

    @property
    def ok(self):
        return not self.errors

    def summary(self):
        text = (
            f"{self.total} dòng: {self.new} mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi, {len(self.errors)} lỗi."
        )
        if self.dry_run:
            text += " Chạy thử: không có thay đổi nào được lưu."
        elif self.errors:
            text += " Không có thay đổi nào được lưu."
        elif self.as_reports and (self.new or self.updated):
            text += (
                f" {self.new + self.updated} báo cáo đã được gửi thẩm định; "
                "chưa công khai cho đến khi được duyệt."
            )
        return text
