"""Matrix rules and marked objects of documents (found by tests/authz.py)."""

from tests.authz import Rule, on_node


def procedure(place, *, title, code, tthc, steps=(("Bước 1", "1"),), **extra):
    """An unsaved procedure page for ``place`` carrying out ``tthc`` with ``steps``."""
    from decimal import Decimal

    from documents.models import ProcedurePage

    return ProcedurePage(
        title=title,
        code=code,
        slug=code.lower().replace("/", "-"),
        purpose="Quy định trình tự giải quyết thủ tục.",
        scope="Áp dụng tại cơ quan.",
        change_summary="Ban hành lần đầu",
        services=[
            (
                "tthc",
                {
                    "tthc": tthc,
                    "variant": "",
                    "steps": [
                        {
                            "code": c,
                            "content": "Tiếp nhận",
                            "responsible": "Bộ phận một cửa",
                            "days": None if d is None else Decimal(str(d)),
                        }
                        for c, d in steps
                    ],
                },
            )
        ],
        **extra,
    )


def populate(world):
    """Each agency's page holds a draft procedure whose title and code are private markers."""
    from decimal import Decimal

    tthc = world.objects["tthc"]  # the core's (tests/qms/authz_rules.py)
    for place in world.agencies():
        page = place.page
        draft = page.add_child(
            instance=procedure(
                place,
                title=f"Quy trình {world.mark(place, 'proc')}",
                code=f"QT-{world.mark(place, 'code')}",
                tthc=tthc,
                steps=[("Bước 1", Decimal("1"))],
                live=False,
            )
        )
        draft.save_revision()
        world.objects["procedure", place.pk] = draft


RULES = [
    Rule(
        "documents_list",
        on_node("officer", "leader", "staff", sibling=True),
        shows="proc",
        note="every member's own agency (and units) list, drafts included",
    ),
    Rule(
        "documents_list_results",
        on_node("officer", "leader", "staff", sibling=True),
        shows="proc",
        query={"q": "mk"},
        exports=True,
    ),
]
