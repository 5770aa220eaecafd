"""Matrix rules and marked objects of the test extension (found by tests/authz.py)."""

from wagtail.models import Page

from tests.authz import Rule, on_node

from .models import ExampleCase


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
    """Each agency's page (documents makes one per agency) gets a draft child, and each agency a
    case; the node's case is owned by the sibling's staff member (a relation across agencies)."""
    from qms import providers

    owner = world.users[("sibling", "staff")]
    for place in world.agencies():
        page = providers.ask_first(providers.AGENCY_PAGE, place)
        draft = page.add_child(
            instance=Page(
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
