"""Danish alphabetical order, the same in Python, on PostgreSQL and on SQLite; and, on SQLite,
case-insensitive search that knows æ, ø and å.

A Danish reader expects "Ærtebjerg, Østergården, Åhuset" at the end of a list, in that order,
"bofællesskab" between "Bo" and "C" whatever its case, and "Bo 2" before "Bo 10". Byte order (what
SQLite and a ``C.UTF-8`` PostgreSQL database give) puts "Åhuset" before "Ærtebjerg" and every
lower-case name after "Z".

- **PostgreSQL:** the migration ``organisations.0007_danish_collation`` creates the ICU collation
  ``styrbord_da`` (Danish, numbers by value). PostgreSQL must be built with ICU, as Debian's,
  Ubuntu's and the official images are.
- **SQLite:** every new connection gets a collation of the same name that compares with
  :func:`sort_key` (``install_on_sqlite``, connected in the organisations app).
- **Python:** :func:`sort_key` for lists sorted after they are read (code lists, translated names).

SQLite's own LIKE, which Django's ``icontains``, ``iexact`` and ``startswith`` use, ignores case only
for a–z: "å" did not find "Åhuset". Each SQLite connection therefore also gets a LIKE (:func:`like`)
that ignores case for every letter. PostgreSQL's ``UPPER`` already does.

A search for a name also ignores accents: ``name__folded_contains="Rene"`` finds "René", "Muller"
finds "Müller", and "Bjørk" finds "Björk" (ä and ö are the Danish æ and ø). Æ, ø and å stay
letters of their own: "o" does not find "Østergård". :func:`fold` says what a search compares;
the database folds the column the same way (``translate`` on PostgreSQL, the same Python function
on SQLite).

Order a query with :func:`collated`: ``qs.order_by(collated("name"), "pk")``. The rules follow the
Danish CLDR collation that ICU uses: æ (and ä), ø (and ö), å (and "aa") after z; ü as y; other
accents and case only break ties, upper case first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.db.models import CharField, F, Lookup, TextField
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate

COLLATION = "styrbord_da"
ICU_LOCALE = "da-u-kn-true"  # Danish, with digits compared as numbers

_NUMBERS = re.compile(r"(\d+)")
# Before accents are stripped: the letters with their own place after z, and their Danish equals.
_OWN_PLACE = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "ü": "y"})


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple[Any, ...]:
    """The key that puts ``text`` in Danish alphabetical order (see the module's rules)."""
    text = unicodedata.normalize("NFC", text)
    folded = text.casefold()
    primary = _strip_accents(folded.replace("aa", "å").translate(_OWN_PLACE))
    parts = _NUMBERS.split(primary)
    # Text at even places, numbers at odd ones: tuples compare like with like.
    letters = tuple(int(part) if i % 2 else part for i, part in enumerate(parts))
    accents = unicodedata.normalize("NFD", folded)  # "Ebo" before "Ébo"
    case = tuple(0 if ch.isupper() else 1 for ch in text)  # "Æble" before "æble"
    return (letters, accents, case, text)  # text last: equal only when identical


def compare(a: str, b: str) -> int:
    """A SQLite collation: negative, zero or positive as ``a`` sorts before, with or after ``b``."""
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


def collated(field: str) -> OrderBy:
    """An ``order_by`` term for a text field in Danish order; a leading "-" sorts descending."""
    descending = field.startswith("-")
    expression = Collate(F(field.lstrip("-")), COLLATION)
    return expression.desc() if descending else expression.asc()


@lru_cache(maxsize=4096)
def _like_pattern(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if escape is not None and ch == escape:
            ch = next(chars, "")
            parts.append(re.escape(ch.casefold()))
        elif ch == "%":
            parts.append(".*")
        elif ch == "_":
            parts.append(".")
        else:
            parts.append(re.escape(ch.casefold()))
    return re.compile("".join(parts), re.DOTALL)


def like(pattern: str | None, value: Any, escape: str | None = None) -> bool | None:
    """SQLite's ``value LIKE pattern [ESCAPE escape]``, ignoring case for every letter (SQLite's
    own does so only for a–z). NULL on either side gives NULL, as in SQL."""
    if pattern is None or value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return _like_pattern(pattern, escape).fullmatch(text.casefold()) is not None


# Accented letters a search reads as their base letter; ä and ö as the Danish æ and ø.
_ACCENTED = "áàâãāăąéèêëēėęěíìîïīįóòôõōőúùûüūůűųýÿçćčñńňšśžźżďťřľĺ"
FOLD_FROM = _ACCENTED + "äö"
FOLD_TO = _strip_accents(_ACCENTED) + "æø"
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str | None) -> str | None:
    """What a search compares: lower case, accents gone, æ, ø and å kept (``None`` stays NULL)."""
    return None if text is None else unicodedata.normalize("NFC", text).lower().translate(_FOLD)


class FoldedContains(Lookup):  # type: ignore[type-arg]
    """``field__folded_contains="rene"``: the text contains the words, ignoring case and accents
    (see the module's rules). A leading-wildcard LIKE, as ``icontains`` is: it scans."""

    lookup_name = "folded_contains"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        pattern = f"%{connection.ops.prep_for_like_query(fold(str(self.rhs)))}%"
        if connection.vendor == "postgresql":
            # lower() under the ICU collation lowers every letter, whatever the database's locale.
            sql = f'translate(lower(({lhs}) COLLATE "{COLLATION}"), %s, %s) LIKE %s'
            return sql, (*params, FOLD_FROM, FOLD_TO, pattern)
        if connection.vendor == "sqlite":
            return f"styrbord_fold({lhs}) LIKE %s ESCAPE '\\'", (*params, pattern)
        raise NotImplementedError(f"folded_contains is not defined for {connection.vendor}")


def register_lookups() -> None:
    """Make ``folded_contains`` available on text fields (called from the organisations app)."""
    CharField.register_lookup(FoldedContains)
    TextField.register_lookup(FoldedContains)


def install_on_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give each new SQLite connection the Danish collation and
    a LIKE that ignores the case of æ, ø, å and every other letter."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_collation(COLLATION, compare)
        raw.create_function("like", 2, like, deterministic=True)
        raw.create_function("like", 3, like, deterministic=True)
        raw.create_function("styrbord_fold", 1, fold, deterministic=True)
