"""Matrix rules and marked objects of the test extension (found by tests/authz.py)."""

from qms.models import HomePage
from tests.authz import Rule, on_node

from .models import ExampleAgencyPage, ExampleCase


def _case(world):
    return {"pk": world.objects["case", world.node.pk].pk}


CASE_READERS = on_node("officer", "leader", "staff") | {"sibling_staff"}  # the owner, by relation

RULES = [
    Rule("example_cases:index", on_node("officer", "leader", "staff", sibling=True), shows="case"),
    Rule(
        "example_cases:index_results",
        on_node("officer", "leader", "staff", sibling=True),
        shows="case",
        query={"q": "mk"},
        exports=True,
    ),
    Rule("example_cases:add", on_node("officer", sibling=True)),
    Rule("example_cases:edit", on_node("officer", "leader") | {"sibling_staff"}, kwargs=_case),
    Rule("example_cases:delete", frozenset({"admin"}), kwargs=_case),
    Rule(
        "example_cases:transition",
        on_node("officer", "leader"),
        kwargs=lambda w: {**_case(w), "transition": "close"},
        note="the owner (sibling_staff) may change the case but not close it",
    ),
    Rule("example_cases:*", CASE_READERS, kwargs=_case),
]


def populate(world):
    """Each agency gets a live agency page with a draft child, and a case; the node's case is
    owned by the sibling's staff member (a relation across agencies)."""
    home = HomePage.objects.get()
    owner = world.users[("sibling", "staff")]
    pages = {}
    # The page tree follows the agency tree, as documents will build it.
    for place in world.agencies():
        above = pages.get(place.parent_id, home)
        page = above.add_child(
            instance=ExampleAgencyPage(title=place.name, slug=f"agency-{place.pk}", agency=place)
        )
        pages[place.pk] = page
        draft = page.add_child(
            instance=ExampleAgencyPage.__base__(
                title=f"Dự thảo {world.mark(place, 'draft')}", slug=f"draft-{place.pk}", live=False
            )
        )
        draft.save_revision()
        world.objects["page", place.pk] = page
        world.objects["draft", place.pk] = draft
        case = ExampleCase.objects.create(
            agency=place,
            title=f"Hồ sơ {world.mark(place, 'case')}",
            owner=owner if place == world.node else None,
        )
        world.objects["case", place.pk] = case
    world.granted.setdefault("sibling_staff", set()).add(world.mark(world.node, "case"))
