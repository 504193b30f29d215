"""Import and export of agencies, practices and adoptions (django-import-export), all or
nothing, in Vietnamese.

The columns of an export are the columns of an import. A file is read into a dataset
(`read_dataset`), its headers mapped to field names whatever the language or the
diacritics, and imported inside one transaction (`_run_import`): any bad row and nothing is
written, and every bad row is reported with its row number as the spreadsheet shows it (the
header is row 1), its column, its value and the reason.

Adoptions are the large files (every agency × every practice), so their queries do not grow
with the rows: practices, agencies and existing adoptions are loaded once before the first
row; new rows are written with one `bulk_create`, changed rows with one `bulk_update`, and
their revisions and history entries in bulk too.

An adoption import by a reporter (a user whose `agency_scope` is a set) is a batch of
reports: a row for an agency outside the scope is a row error; new adoptions are created not
live and existing ones are left as approved, the row's values going into a new revision; each
then enters the review workflow. That takes a constant number of queries per row (a revision,
a history entry, a workflow state and its first task), not a constant number per file.

Agencies and practices are reference data, tens to a few thousand rows, kept by national
editors: they are saved row by row through the models' own validation and history (a log
entry per agency, a published revision per practice page).

The package, one module per step: `columns` (headers and the words of choices), `limits`
(what a file may hold), `formats` (the rows of each format, read as a stream), `reader`
(files into datasets), `widgets` (a cell into a value and back), `base` (what the resources
share), `adoptions`, `agencies` and `practices` (the resources), `publish` (the bulk writes
of a valid adoption import), `results` (what a run reports), `runner` (the all-or-nothing
run and who may start it), `formulas`, `export` and `writers` (exports, with cells a spreadsheet
would run neutralised, written a batch at a time).
"""

from practices.resources.adoptions import AdoptionResource
from practices.resources.agencies import AgencyResource
from practices.resources.base import SpreadsheetResource
from practices.resources.columns import (
    AGENCY_COLUMNS,
    AGENCY_REQUIRED_COLUMNS,
    COLUMNS,
    PRACTICE_COLUMNS,
    PRACTICE_REQUIRED_COLUMNS,
    REQUIRED_COLUMNS,
    header_keys,
    split_list,
)
from practices.resources.export import (
    Export,
    adoptions_export,
    agencies_export,
    export_adoptions,
    export_agencies,
    export_practices,
    practices_export,
)
from practices.resources.formulas import FORMULA_STARTS, neutralise
from practices.resources.limits import DEFAULT_MAX_BYTES, FORMATS, ImportFileError, Limits
from practices.resources.practices import PracticeResource
from practices.resources.reader import guess_format, read_dataset
from practices.resources.results import ImportReport, RowError, RowStatus
from practices.resources.runner import (
    can_import,
    import_adoptions,
    import_agencies,
    import_practices,
)
from practices.resources.widgets import DateWidget

__all__ = [
    "AGENCY_COLUMNS",
    "AGENCY_REQUIRED_COLUMNS",
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "FORMULA_STARTS",
    "PRACTICE_COLUMNS",
    "PRACTICE_REQUIRED_COLUMNS",
    "REQUIRED_COLUMNS",
    "AdoptionResource",
    "AgencyResource",
    "DateWidget",
    "Export",
    "ImportFileError",
    "ImportReport",
    "Limits",
    "PracticeResource",
    "RowError",
    "RowStatus",
    "SpreadsheetResource",
    "adoptions_export",
    "agencies_export",
    "can_import",
    "export_adoptions",
    "export_agencies",
    "export_practices",
    "guess_format",
    "header_keys",
    "import_adoptions",
    "import_agencies",
    "import_practices",
    "neutralise",
    "practices_export",
    "read_dataset",
    "split_list",
]
