"""What a client needs to speak the user's language: languages, formats,
timezone and currency, and text a company wrote in several languages.

Date and time formats are Unicode (CLDR) patterns, the kind JavaScript's
date libraries and the mobile platforms read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

DEFAULT_CURRENCY = "BRL"


@dataclass(frozen=True)
class LanguageFormats:
    date_format: str
    time_format: str
    datetime_format: str
    first_weekday: int  # 0 = Monday, as the API's weekdays count
    decimal_separator: str
    thousand_separator: str


FORMATS: dict[str, LanguageFormats] = {
    "pt-br": LanguageFormats(
        date_format="dd/MM/yyyy",
        time_format="HH:mm",
        datetime_format="dd/MM/yyyy HH:mm",
        first_weekday=6,
        decimal_separator=",",
        thousand_separator=".",
    ),
    "en": LanguageFormats(
        date_format="MM/dd/yyyy",
        time_format="h:mm a",
        datetime_format="MM/dd/yyyy h:mm a",
        first_weekday=6,
        decimal_separator=".",
        thousand_separator=",",
    ),
}


def formats_for(language: str) -> LanguageFormats:
    """The formats of a supported language; the default language's otherwise."""
    return FORMATS.get(language) or FORMATS[settings.LANGUAGE_CODE]


def supported_languages() -> list[dict[str, str]]:
    """`[{code, name, date_format, time_format}]`, names in the active language."""
    languages = []
    for code, name in settings.LANGUAGES:
        formats = formats_for(code)
        languages.append(
            {
                "code": code,
                "name": str(name),
                "date_format": formats.date_format,
                "time_format": formats.time_format,
            }
        )
    return languages


def localization_settings(*, company=None, language: str | None = None) -> dict:
    """The body of `GET /api/feature-flags/localization/`.

    Timezone and currency are the company's when there is one, else the
    project's defaults; formats follow `language` (the active one by default).
    """
    language = language or get_language() or settings.LANGUAGE_CODE
    formats = formats_for(language)
    return {
        "languages": supported_languages(),
        "default_language": settings.LANGUAGE_CODE,
        "current_language": language,
        "company": company.pk if company is not None else None,
        "company_language": company.language if company is not None else None,
        "timezone": company.timezone if company is not None else settings.TIME_ZONE,
        "currency": company.currency if company is not None else DEFAULT_CURRENCY,
        "date_format": formats.date_format,
        "time_format": formats.time_format,
        "datetime_format": formats.datetime_format,
        "first_weekday": formats.first_weekday,
        "decimal_separator": formats.decimal_separator,
        "thousand_separator": formats.thousand_separator,
    }


def translated_value(
    instance,
    field: str,
    *,
    language: str | None = None,
    fallback_language: str | None = None,
) -> str:
    """A modeltranslation field in `language`, else in `fallback_language`.

    For text a company writes for its customers (a service's name and
    description): the request's language first, then the company's, then
    every configured language in order, so a name written only in English
    still shows to a Portuguese reader.

        translated_value(service, "name", language=get_language(),
                         fallback_language=service.company.language)
    """
    language = language or get_language() or settings.LANGUAGE_CODE
    candidates = [language]
    if fallback_language:
        candidates.append(fallback_language)
    candidates.extend(code for code, _name in settings.LANGUAGES)
    for code in candidates:
        value = getattr(instance, build_localized_fieldname(field, code), None)
        if value:
            return value
    return getattr(instance, field, "") or ""
