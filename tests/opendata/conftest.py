# The reporting tests' people and places: a reporter of Bắc Ninh, a reviewer, a practice.
from tests.reporting.test_reporting import bac_ninh, practice, reporter, reviewer  # noqa: F401
