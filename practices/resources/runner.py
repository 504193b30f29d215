"""Running an import all or nothing, and reporting on it."""

import datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from import_export.results import RowResult

from practices.models import PracticeIndexPage
from practices.resources.adoptions import AdoptionResource
from practices.resources.agencies import AgencyResource
from practices.resources.limits import ImportFileError
from practices.resources.practices import PracticeResource
from practices.resources.reader import read_dataset
from practices.resources.results import ImportReport, RowError, RowStatus


class _Rollback(Exception):
    pass


def _errors(result, numbers, shown):
    found = []
    for invalid in result.invalid_rows:
        row_number = numbers[invalid.number - 1]
        for name, messages in invalid.error_dict.items():
            value = (
                invalid.values[result.diff_headers.index(name)]
                if name in result.diff_headers
                else ""
            )
            if isinstance(value, datetime.date):
                value = f"{value:%d/%m/%Y}"
            for message in messages:
                text = message.messages[0] if isinstance(message, ValidationError) else str(message)
                found.append(RowError(row_number, shown.get(name, name), str(value), text))
    for error_row in result.error_rows:
        for error in error_row.errors:
            found.append(RowError(numbers[error_row.number - 1], "", "", f"Lỗi: {error.error}"))
    for error in result.base_errors:
        found.append(RowError(0, "", "", f"Lỗi khi ghi: {error.error}"))
    return found


def _sorted_errors(errors, shown):
    order = list(shown.values())
    return sorted(
        errors,
        key=lambda e: (e.row, order.index(e.column) if e.column in order else len(order)),
    )


def _promote(result, numbers):
    """Unchanged rows that `finish` changed after all count as changed."""
    for number in numbers:
        row = result.rows[number - 1]
        if row.import_type == RowResult.IMPORT_TYPE_SKIP:
            row.import_type = RowResult.IMPORT_TYPE_UPDATE
            result.totals[RowResult.IMPORT_TYPE_SKIP] -= 1
            result.totals[RowResult.IMPORT_TYPE_UPDATE] += 1


def _row_statuses(result, numbers, dataset, label_columns):
    invalid = {row.number for row in result.invalid_rows}
    failed = {row.number for row in result.error_rows}
    headers = dataset.headers
    shown = [headers.index(column) if column in headers else None for column in label_columns]
    statuses = []
    for index, row in enumerate(dataset):
        number = index + 1
        row_result = result.rows[index] if index < len(result.rows) else None
        if number in invalid:
            status = RowResult.IMPORT_TYPE_INVALID
        elif number in failed:
            status = RowResult.IMPORT_TYPE_ERROR
        else:
            status = row_result.import_type if row_result else ""
        cells = tuple("" if at is None else str(row[at]) for at in shown)
        statuses.append(RowStatus(numbers[index], status, cells))
    return statuses


def _run_import(resource, source, file_format=None, dry_run=False):
    """Read `source` and import it with `resource`, all or nothing; an ImportReport."""
    from ops.pagecache import invalidate
    from search.sync import bulk_changes

    dataset, numbers, shown, ignored = read_dataset(
        source, file_format, resource.columns, resource.required_columns
    )
    resource.row_numbers, resource.total = numbers, len(dataset)
    for name in resource.get_import_id_fields():
        if name not in dataset.headers:  # an optional key column (a slug made from the name)
            dataset.append_col([""] * len(dataset), header=name)
    report = ImportReport(
        total=len(dataset),
        dry_run=dry_run,
        ignored_columns=ignored,
        row_headers=tuple(resource.columns[name][0] for name in resource.label_columns),
    )
    try:
        with transaction.atomic(), bulk_changes(touched_only=True):
            result = resource.import_data(dataset, dry_run=False, use_transactions=False)
            errors = _errors(result, numbers, shown) + resource.finish(shown)
            report.errors = _sorted_errors(errors, shown)
            _promote(result, resource.promoted)
            report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
            report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
            report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
            report.rows = _row_statuses(result, numbers, dataset, resource.label_columns)
            if report.errors or dry_run:
                raise _Rollback
            resource.record()
            invalidate()  # bulk writes send no signals
    except _Rollback:
        pass
    except DatabaseError as error:
        # Rolled back, like a faulty file: the database refused a write that every row's
        # checks allowed (another import of the same rows at the same moment, say).
        report.errors = [RowError(0, "", "", f"Lỗi khi ghi, không dòng nào được nhập: {error}")]
    return report


def import_adoptions(
    source, file_format=None, dry_run=False, user=None, progress=None, file_name=""
):
    """Import adoptions from a path or bytes, all or nothing; returns an ImportReport.

    `user` is the author of the revisions. When `import_scope(user)` limits the user to some
    agencies (a reporter), the rows must be for those agencies and enter as reports awaiting
    review (see the package docstring); so do a reviewer's rows, for any agency (reviewers
    publish only by approving); an editor, or no user, publishes directly.
    `progress(rows_done, total)` is called per row. The reviewers get one e-mail for the
    reports of a file (`file_name`, or the path's name), not one per row.
    Raises ImportFileError when the file as a whole cannot be read, PermissionDenied when
    `user` may not import adoptions.
    """
    from reporting.notifications import submission_digest
    from reporting.permissions import import_scope

    _check_permission("adoptions", user)
    scope = import_scope(user) if user is not None else None
    resource = AdoptionResource(user=user, progress=progress, scope=scope)
    if not file_name and isinstance(source, str | Path):
        file_name = Path(source).name
    with submission_digest(user, file_name):
        report = _run_import(resource, source, file_format, dry_run)
    report.as_reports = scope is not None
    return report


def import_agencies(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import agencies (national editors, or the shell with no user); see import_adoptions."""
    _check_permission("agencies", user)
    return _run_import(AgencyResource(user=user, progress=progress), source, file_format, dry_run)


def import_practices(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import and publish practice pages under the catalogue page; see import_adoptions."""
    if not PracticeIndexPage.objects.exists():
        raise ImportFileError("Chưa có trang danh mục sáng kiến; hãy chạy load_seed trước.")
    _check_permission("practices", user)
    resource = PracticeResource(user=user, progress=progress)
    return _run_import(resource, source, file_format, dry_run)


def can_import(kind, user):
    """Whether `user` may import `kind` (adoptions, agencies, practices). Reporters import
    adoptions for their own agencies (the resource checks each row); agencies and practices
    are the national editors'."""
    if kind == "adoptions":
        # The policy's "add": a reporter whose every unit has ended has nothing to import.
        from reporting.permissions import adoption_policy

        return adoption_policy().user_has_permission(user, "add")
    if kind == "agencies":
        return user.has_perms(["practices.add_agency", "practices.change_agency"])
    if kind == "practices":
        index_page = PracticeIndexPage.objects.first()
        if index_page is None:
            return False
        permissions = index_page.permissions_for_user(user)
        return permissions.can_add_subpage() and permissions.can_publish_subpage()
    raise ValueError(kind)


def _check_permission(kind, user):
    if user is not None and not can_import(kind, user):
        raise PermissionDenied("Bạn không có quyền nhập dữ liệu này.")
