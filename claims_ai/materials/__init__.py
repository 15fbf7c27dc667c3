"""Required materials and cross-document checks.

- :class:`MaterialsChecker` — claim type + disease groups + documents → required, present, missing (with member
  messages in Chinese and English; unusable pages count as missing with their own hint).
- :class:`CrossDocumentChecker` — consistency checks with stable ids and evidence.
"""

from claims_ai.materials.checklists import Checklists, load_checklists
from claims_ai.materials.checks import CHECK_IDS, CheckResult, CheckStatus, CrossDocumentChecker
from claims_ai.materials.missing import MaterialsChecker, MaterialsResult, MissingMaterial, MissingReason

__all__ = [
    "CHECK_IDS",
    "CheckResult",
    "CheckStatus",
    "Checklists",
    "CrossDocumentChecker",
    "MaterialsChecker",
    "MaterialsResult",
    "MissingMaterial",
    "MissingReason",
    "load_checklists",
]
