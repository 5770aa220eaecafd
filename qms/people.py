"""How qms names a person: family and middle names, then the given name ("Nguyễn Văn An").

Django's forms (and Wagtail's, in Vietnamese) label ``last_name`` "Họ" and ``first_name`` "Tên",
so a person is stored as last_name "Nguyễn Văn", first_name "An". Django's own
``get_full_name`` joins them the Western way round ("An Nguyễn Văn"); ``use_vietnamese_order``
points it here, because Wagtail calls it for every name it shows (account menu, history, owners).
"""

from django.contrib.auth import get_user_model


def full_name(user) -> str:
    """ "Nguyễn Văn An", or "" when no name is recorded."""
    if user is None:
        return ""
    parts = (getattr(user, "last_name", "") or "", getattr(user, "first_name", "") or "")
    return " ".join(part.strip() for part in parts if part.strip())


def person_name(user) -> str:
    """The one way lists, choosers and notifications name a person: the full name, or the
    username of an account that has none."""
    if user is None:
        return ""
    return full_name(user) or user.get_username()


def person_label(user) -> str:
    """A person in a picker, where two people may share a name: "Nguyễn Văn An (stp-officer)"."""
    name = full_name(user)
    return f"{name} ({user.get_username()})" if name else user.get_username()


def use_vietnamese_order() -> None:
    """Make the user model's ``get_full_name`` answer ``full_name`` (called once, at start-up)."""
    get_user_model().get_full_name = full_name
