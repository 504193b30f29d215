"""Load the indicator definitions and the national targets (fixtures/seed/indicators.toml).

Definitions and targets only, each with its source; measured values come in by import. As
the rest of the seed, a second run adds only what is missing: an indicator that exists keeps
its name and description as editors left them, and gets its group, maximum points and source
only where they are still empty; a target that exists is left alone.
"""

import tomllib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from indicators import periods
from indicators.models import IndicatorValue, ValueKind
from practices.models import Indicator

INDICATORS_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed" / "indicators.toml"
FILLED_IF_EMPTY = ("group", "max_points", "source")


class IndicatorSeedError(ValueError):
    pass


def _fields(entry):
    return {
        name: entry[name] for name in FILLED_IF_EMPTY if name in entry and hasattr(Indicator, name)
    }


def load_indicators(path=INDICATORS_PATH, log=print):
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    created = 0
    for entry in data.get("indicators", []):
        indicator, made = Indicator.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "unit": entry.get("unit", ""),
                "description": entry.get("description", ""),
                **_fields(entry),
            },
        )
        created += made
        missing = [
            name for name, value in _fields(entry).items() if getattr(indicator, name) in ("", None)
        ]
        if missing and not made:
            for name in missing:
                setattr(indicator, name, entry[name])
            indicator.save(update_fields=missing)
    log(f"  chỉ số kết quả: {len(data.get('indicators', []))} ({created} mới)")

    indicators = {item.code: item for item in Indicator.objects.all()}
    created = 0
    for entry in data.get("targets", []):
        parsed = periods.parse_label(entry["period"])
        if parsed is None or entry["indicator"] not in indicators:
            raise IndicatorSeedError(
                f"Chỉ tiêu “{entry['indicator']}”, kỳ “{entry['period']}”: không có chỉ số "
                "hoặc kỳ không đúng dạng."
            )
        kind, start = parsed
        key = {
            "indicator": indicators[entry["indicator"]],
            "agency": None,
            "period_kind": kind,
            "period_start": start,
            "kind": ValueKind.TARGET,
        }
        if IndicatorValue.objects.filter(**key).exists():
            continue
        target = IndicatorValue(
            **key,
            value=entry["value"],
            source=entry["source"],
            instrument=entry.get("instrument", ""),
            note=entry.get("note", ""),
        )
        try:
            target.full_clean()
        except ValidationError as error:
            raise IndicatorSeedError(
                f"Chỉ tiêu “{entry['indicator']}”, kỳ “{entry['period']}”: "
                + "; ".join(error.messages)
            ) from error
        target.save()
        created += 1
    log(f"  chỉ tiêu quốc gia: {len(data.get('targets', []))} ({created} mới)")
