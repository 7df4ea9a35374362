"""What must not reach the board: a resident's real name or the number of their door.

The public name and area are typed by people (a resident, a worker), so they are checked
against the private record before a wish is posted, approved or thanked in public.
"""

import re

from django.utils.translation import gettext as _

# A house, lane, building or room number: 30弄, 12号, 3栋, 501室, 梅园路30, No. 12.
_STREET_NUMBER = re.compile(
    r"\d+\s*(号|弄|栋|幢|座|室|楼|单元|巷|里|排)|[路街道巷弄]\s*\d+|\bno\.?\s*\d+",
    re.IGNORECASE,
)


def _name_parts(real_name: str) -> list[str]:
    """The full name, and for a Chinese name of three or more characters its given name too
    (李建国 → 建国); a surname alone (王) is what a public name such as 王奶奶 is made of."""
    name = "".join(real_name.split())
    if not name:
        return []
    parts = [name]
    if len(name) >= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name):
        parts.append(name[1:])
    return parts


def real_name_in(text: str, real_name: str) -> bool:
    flat = "".join(text.split()).lower()
    return any(part.lower() in flat for part in _name_parts(real_name))


def public_text_warnings(*, pseudonym: str, coarse_area: str, real_name: str) -> list[str]:
    """Why a public name or area would expose the resident (empty when it would not)."""
    warnings = []
    if real_name and real_name_in(pseudonym, real_name):
        warnings.append(
            _("The public name contains the resident's real name. Use a form such as 王奶奶.")
        )
    if _STREET_NUMBER.search(coarse_area):
        warnings.append(
            _(
                "The public area contains a house or lane number. "
                "Give only the community, such as 梅园社区."
            )
        )
    return warnings


def note_warnings(*, note: str, real_name: str) -> list[str]:
    if real_name and real_name_in(note, real_name):
        return [
            _("The thank-you note contains the resident's real name: use the public name instead.")
        ]
    return []
