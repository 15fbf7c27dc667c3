"""Message catalogs of the workbench (``i18n/<lang>.json``) and the language of a request.

Every string a page shows comes from a catalog; labels of stored values use a prefix and the value as key
(``status.in_review``, ``doc_type.pathology_report``, ``field.total_amount`` …). A key missing from a catalog is
a bug: the test suite checks both catalogs hold the same keys and every key the templates use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from fastapi import Request

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "Translate", "catalog", "request_lang", "translator"]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "claims_ai_lang"
_DIR = Path(__file__).resolve().parent / "i18n"

Translate = Callable[..., str]


@cache
def catalog(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((_DIR / f"{lang}.json").read_text("utf-8"))
    return data


def translator(lang: str) -> Translate:
    messages = catalog(lang)

    def t(key: str, default: str | None = None, **values: object) -> str:
        text = messages.get(key)
        if text is None:
            if default is not None:
                return default
            raise KeyError(f"no message {key!r} in the {lang} catalog")
        return text.format(**values) if values else text

    return t


def request_lang(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else DEFAULT_LANG
