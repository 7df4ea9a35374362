"""What must not reach the board: a resident's real name or the number of their door.

Everything a wish shows in public (its public name and area, title, story and thank-you note) is
typed by people, a resident or a worker, so it is checked against the private record before
a wish is posted, changed, approved or thanked in public.
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


# In a title or story: a lane, building or room number, or a road with its door number.
# (A floor such as 5楼 or a date such as 12号 on its own says nothing about where.)
_DOOR_IN_TEXT = re.compile(
    r"\d+\s*(弄|栋|幢|室|单元|号楼)|[路街巷]\s*\d+\s*号|\bno\.?\s*\d+|\b(room|flat|apt)\.?\s*\d+",
    re.IGNORECASE,
)
# A mainland mobile number (11 digits from 13…19), a landline with or without its area code
# (021-6234 5678, 6234 5678), however the digits are spaced.
_PHONE = re.compile(
    r"(?<!\d)(1[3-9]\d(?:[\s-]?\d){8}|(?:0\d{2,3}[\s-]?)?[2-9]\d{2,3}[\s-]?\d{4})(?!\d)"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _flat(text: str) -> str:
    return "".join(text.split()).lower()


def _exposes_contact(text: str, *, phone: str, address: str) -> bool:
    """A phone number of any kind, the resident's own phone, or their address."""
    if _PHONE.search(text):
        return True
    own_phone = _digits(phone)
    if len(own_phone) >= 7 and own_phone[-7:] in _digits(text):
        return True
    own_address = _flat(address)
    return len(own_address) >= 4 and own_address in _flat(text)


def public_text_warnings(
    *,
    pseudonym: str,
    coarse_area: str,
    real_name: str,
    title: str = "",
    story: str = "",
    phone: str = "",
    address: str = "",
) -> list[str]:
    """Why the public text of a wish would expose the resident (empty when it would not).

    Everything a wish shows in public is typed by people, so each part is checked: the public
    name and area, and the title and story too, against the real name, a phone number and
    the address in the private record.
    """
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
    text = f"{title}\n{story}"
    if real_name and real_name_in(text, real_name):
        warnings.append(
            _(
                "The title or story contains the resident's real name. "
                "Say 老人 or use the public name instead."
            )
        )
    if _exposes_contact(f"{text}\n{pseudonym}\n{coarse_area}", phone=phone, address=address):
        warnings.append(
            _(
                "The wish shows a phone number or the resident's address. Leave them out: "
                "the station keeps them and arranges the delivery."
            )
        )
    elif _DOOR_IN_TEXT.search(text):
        warnings.append(
            _(
                "The title or story contains a house, building or room number. "
                "Leave it out: the station arranges the delivery."
            )
        )
    return warnings


def note_warnings(*, note: str, real_name: str, phone: str = "", address: str = "") -> list[str]:
    """The thank-you note goes public with the wish: the same checks as its story."""
    warnings = []
    if real_name and real_name_in(note, real_name):
        warnings.append(
            _("The thank-you note contains the resident's real name: use the public name instead.")
        )
    if _exposes_contact(note, phone=phone, address=address) or _DOOR_IN_TEXT.search(note):
        warnings.append(_("The thank-you note shows a phone number or an address: leave it out."))
    return warnings
