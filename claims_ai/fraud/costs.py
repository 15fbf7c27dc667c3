"""What a stay usually costs: a table per ICD-10 3-character category, hospital level and setting
(``data/usual_costs.csv``, see ``data/README.md``), and the hospital level guessed from the hospital's name.

Lookup falls back from the 3-character category (``C73``) to its chapter (``C*``) to any diagnosis (``*``), so a
code the table does not know still gets a broad range rather than none.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

__all__ = ["CostRange", "HospitalLevel", "UsualCosts", "hospital_level"]

_DATA = Path(__file__).parent / "data" / "usual_costs.csv"


class HospitalLevel(StrEnum):
    TERTIARY = "tertiary"  # 三级
    SECONDARY = "secondary"  # 二级
    PRIMARY = "primary"  # 一级 / 社区 / 乡镇
    UNKNOWN = "unknown"


# Names tell the level often enough: provincial, university-affiliated, specialist and city central hospitals are
# almost always 三级; district and county hospitals 二级; township and community centres 一级.
_PRIMARY = re.compile(r"卫生院|社区卫生服务|卫生室|诊所|门诊部|医务室")
_SECONDARY = re.compile(r"[县区旗]人民医院|[县区旗]中医院|[县区旗]医院|[县区]妇幼|镇.*医院|区.{0,4}医院")
_TERTIARY = re.compile(r"三级|省|自治区|大学|医学院|附属|肿瘤医院|中心医院|市第.人民医院|市人民医院|市第.医院|市中医院")


def hospital_level(name: str | None) -> HospitalLevel:
    if not name:
        return HospitalLevel.UNKNOWN
    if _PRIMARY.search(name):
        return HospitalLevel.PRIMARY
    if _SECONDARY.search(name):
        return HospitalLevel.SECONDARY
    if _TERTIARY.search(name):
        return HospitalLevel.TERTIARY
    return HospitalLevel.UNKNOWN


@dataclass(frozen=True)
class CostRange:
    key: str  # the table row used: "C73", "C*" or "*"
    name_zh: str
    low: float
    high: float

    @property
    def middle(self) -> float:
        return (self.low * self.high) ** 0.5  # costs are log-normal-ish: the geometric middle


class UsualCosts:
    def __init__(self, rows: dict[tuple[str, str, str], CostRange]) -> None:
        self._rows = rows

    @classmethod
    def load(cls, path: Path = _DATA) -> UsualCosts:
        rows: dict[tuple[str, str, str], CostRange] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for r in csv.DictReader(handle):
                key = (r["icd3"], r["setting"], r["hospital_level"])
                rows[key] = CostRange(r["icd3"], r["name_zh"], float(r["low_yuan"]), float(r["high_yuan"]))
        return cls(rows)

    def usual(self, icd10: str | None, level: HospitalLevel, *, inpatient: bool) -> CostRange | None:
        setting = "inpatient" if inpatient else "outpatient"
        levels = [level] if level is not HospitalLevel.UNKNOWN else [HospitalLevel.TERTIARY]
        code = (icd10 or "").strip().upper()
        keys = [code[:3], f"{code[:1]}*"] if code else []
        for key in [*keys, "*"]:
            for lvl in levels:
                found = self._rows.get((key, setting, lvl.value))
                if found is not None:
                    return found
        return None


@cache
def default_costs() -> UsualCosts:
    return UsualCosts.load()
