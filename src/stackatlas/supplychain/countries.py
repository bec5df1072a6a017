"""Country codes of the ETO dataset (ISO 3166 alpha-3) and the atlas (alpha-2).

Only what the dataset and the atlas use; an unknown code still works as an ETO country, it just
has no alpha-2 twin. ``EUR`` is the dataset's "Europe" bloc (a region, not a country).
"""

from __future__ import annotations

ISO3_TO_ISO2: dict[str, str] = {
    "AUS": "AU",
    "AUT": "AT",
    "BEL": "BE",
    "BLR": "BY",
    "CAN": "CA",
    "CHE": "CH",
    "CHN": "CN",
    "CZE": "CZ",
    "DEU": "DE",
    "DNK": "DK",
    "ESP": "ES",
    "FIN": "FI",
    "FRA": "FR",
    "GBR": "GB",
    "HKG": "HK",
    "HUN": "HU",
    "IND": "IN",
    "IRL": "IE",
    "ISR": "IL",
    "ITA": "IT",
    "JPN": "JP",
    "KOR": "KR",
    "LUX": "LU",
    "MYS": "MY",
    "NLD": "NL",
    "NOR": "NO",
    "PHL": "PH",
    "RUS": "RU",
    "SGP": "SG",
    "SWE": "SE",
    "THA": "TH",
    "TWN": "TW",
    "USA": "US",
    "VNM": "VN",
}
ISO2_TO_ISO3 = {v: k for k, v in ISO3_TO_ISO2.items()}
REGIONS = {"EUR": "Europe"}


def normalize_country(code: str, names: dict[str, str] | None = None) -> str | None:
    """An ISO alpha-3 code for ``code`` given as alpha-3, alpha-2 or a name in ``names``
    (alpha-3 -> name, e.g. the dataset's aliases); None when unknown."""
    raw = code.strip()
    up = raw.upper()
    if up in ISO3_TO_ISO2 or up in REGIONS:
        return up
    if up in ISO2_TO_ISO3:
        return ISO2_TO_ISO3[up]
    for iso3, name in (names or {}).items():
        if name.lower() == raw.lower():
            return iso3
    if names and up in names:
        return up
    return None
