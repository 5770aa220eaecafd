"""The public site: home → agency → its procedures in force → history of issues with the diff;
only issues are public (never a draft, nor a draft's files), forms as issued download for anyone,
an accent-insensitive search, ended agencies point to their successors."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import ProcedurePage
from documents.services.issues import issue_withdraw
from qms.models import AgencyKind, AgencySuccession
from tests import factories
from tests.documents.authz_rules import PAGE_ROUTE_RULES, _with_step, procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client()


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _route(page, name, *args) -> str:
    return page.url + page.reverse_subpage(name, args=list(args))


@pytest.fixture
def site(world):
    """The node's procedure for a TTHC of 10 working days: issue 1 with one step, issue 2 adds a
    "not counted" step and a form; a pending draft on top renames it and adds a secret form; and
    beside it a procedure never published, with a form of its own."""
    tthc = factories.tthc(
        code="1.001806", name="Đăng ký biến động đất đai", field="Đất đai", working_days="10"
    )
    form = factories.document(world.node, title="Mẫu đơn đăng ký", filename="mau-don.pdf")
    page = world.node.page.add_child(
        instance=procedure(
            world.node,
            title="Quy trình giải quyết thủ tục đất đai",
            code="QT-05/STP",
            tthc=tthc,
            steps=[("Bước 1", Decimal("0.5"))],
            live=False,
        )
    )
    first = factories.procedure_publish(page)
    second = factories.procedure_publish(
        page,
        services=_with_step(
            page,
            {"code": "Bước 2", "content": "Thẩm định hồ sơ", "days": "9.5"},
            form_of_first=form,
        ),
        change_summary="Thêm bước thẩm định hồ sơ",
    )
    secret_form = factories.document(world.node, title="Biểu mẫu bí mật", filename="bi-mat.pdf")
    pending = ProcedurePage.objects.get(pk=page.pk)
    pending.title = "Tên dự thảo chưa duyệt"
    pending.services = _with_step(
        pending, {"code": "Bước 3", "content": "Bước dự thảo"}, form_of_first=secret_form
    )
    pending.save_revision()
    draft_form = factories.document(world.node, title="Mẫu của dự thảo", filename="du-thao.pdf")
    draft = world.node.page.add_child(
        instance=procedure(
            world.node,
            title="Quy trình dự thảo riêng tư",
            code="QT-77/STP",
            tthc=tthc,
            live=False,
        )
    )
    draft.forms = [("form", draft_form)]
    draft.save_revision()
    return {
        "tthc": tthc,
        "page": ProcedurePage.objects.get(pk=page.pk),
        "issues": (first.procedure_issue, second.procedure_issue),
        "form": form,
        "secret_form": secret_form,
        "draft": draft,
        "draft_form": draft_form,
    }


def test_home_leads_to_the_agency_and_its_procedures_in_force(anonymous, world, site):
    home = _html(anonymous.get("/"))
    assert f'href="{world.node.page.url}"' in home
    html = _html(anonymous.get(world.node.page.url))
    page = site["page"]
    assert f'href="{page.url}"' in html
    for shown in ("QT-05/STP", "Quy trình giải quyết thủ tục đất đai", "1.001806"):
        assert shown in html
    assert "Đăng ký biến động đất đai" in html
    assert "10 ngày làm việc" in html  # the TTHC's limit and the steps' total
    assert "Thẩm định hồ sơ" in html and "0,5 ngày làm việc" in html
    form = site["issues"][1].forms.get()
    assert f'href="{_route(page, "form", form.pk)}"' in html
    # the header names the agency and its parent; breadcrumbs lead back home
    header = html[: html.index("</header>")]
    assert world.node.name in header and world.parent.name in header
    assert 'class="emblem"' in header
    crumbs = html[
        html.index('class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))
    ]
    assert "Trang chủ" in crumbs and world.parent.name in crumbs


def test_a_procedure_page_shows_its_issue_in_force(anonymous, world, site):
    page = site["page"]
    html = _html(anonymous.get(page.url))
    second = site["issues"][1]
    assert "QT-05/STP" in html and "Quy trình giải quyết thủ tục đất đai" in html
    assert f"<strong>{second.number}</strong>" in html
    assert second.effective_date.strftime("%d/%m/%Y") in html
    assert "Không tính thời gian" not in html  # both steps of issue 2 are counted
    assert "Thẩm định hồ sơ" in html and "9,5 ngày làm việc" in html
    # links to the history, the PDF, and the form as issued; the revision table from the issues
    assert f'href="{_route(page, "history")}"' in html
    assert f'href="{_route(page, "pdf", 2)}"' in html
    assert "Thêm bước thẩm định hồ sơ" in html and "Ban hành lần đầu" in html
    # printable: the stylesheet carries print rules
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[2] / "qms/static/qms/public.css"
    ).read_text()
    assert "@media print" in css and "@media (max-width" in css


def test_drafts_and_their_files_never_reach_a_public_page(anonymous, world, site):
    page = site["page"]
    urls = [
        "/",
        world.node.page.url,
        page.url,
        _route(page, "history"),
        _route(page, "compare", 1, 2),
        reverse("procedure_search") + "?q=du+thao",
        reverse("procedure_search") + "?q=quy+trinh",
        reverse("procedure_search") + "?q=tên dự thảo",
    ]
    secrets = [
        "Tên dự thảo chưa duyệt",
        "Bước dự thảo",
        "Biểu mẫu bí mật",
        "bi-mat",
        "Quy trình dự thảo riêng tư",
        "QT-77/STP",
        "Mẫu của dự thảo",
        "du-thao",
        site["secret_form"].url,
        site["draft_form"].url,
    ]
    for url in urls:
        html = _html(anonymous.get(url))
        for secret in secrets:
            assert secret not in html, (url, secret)
    # the draft itself and the drafts' files: not found
    assert anonymous.get(site["draft"].url_path.replace("/home", "", 1)).status_code == 404
    for document in (site["secret_form"], site["draft_form"]):
        assert anonymous.get(document.url).status_code == 404


def test_a_form_of_a_live_issue_downloads_for_an_anonymous_visitor(anonymous, site):
    page, second = site["page"], site["issues"][1]
    issued = second.forms.get()
    response = anonymous.get(_route(page, "form", issued.pk))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    with issued.file.open("rb") as handle:
        assert body == handle.read()
    assert body.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    # a form id of another procedure, or none at all, is not found
    assert anonymous.get(_route(page, "form", 999999)).status_code == 404


def test_the_history_shows_every_issue_and_what_the_newest_changed(anonymous, site):
    page = site["page"]
    html = _html(anonymous.get(_route(page, "history")))
    assert html.index("Thêm bước thẩm định hồ sơ") < html.index("Ban hành lần đầu")
    assert f'href="{_route(page, "compare", 1, 2)}"' in html
    assert 'class="issue-diff"' in html
    # the added step, highlighted as added
    row = html[html.index('data-step="Bước 2"') - 60 : html.index('data-step="Bước 2"')]
    assert "issue-diff-added" in row
    # the compare form leads to the comparison of the two chosen issues
    response = anonymous.get(_route(page, "history") + "?a=2&b=1")
    assert response.status_code == 302 and response["Location"].endswith("/lich-su/1-2/")


def test_two_issues_compared(anonymous, site):
    page = site["page"]
    html = _html(anonymous.get(_route(page, "compare", 1, 2)))
    assert 'data-step="Bước 2"' in html and "Thẩm định hồ sơ" in html
    response = anonymous.get(_route(page, "compare", 2, 1))
    assert response.status_code == 302 and response["Location"].endswith("/lich-su/1-2/")
    assert anonymous.get(_route(page, "compare", 1, 1)).status_code == 404
    assert anonymous.get(_route(page, "compare", 1, 9)).status_code == 404


def test_an_issue_prints_as_a_pdf(anonymous, site):
    response = anonymous.get(_route(site["page"], "pdf", 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;") and "QT-05-STP" in disposition
    assert anonymous.get(_route(site["page"], "pdf", 3)).status_code == 404


def test_a_withdrawn_procedure_leaves_the_public_site(anonymous, world, site):
    page, second = site["page"], site["issues"][1]
    issue_withdraw(actor=world.admin, issue=second, reason="Thủ tục bị bãi bỏ")
    assert anonymous.get(page.url).status_code == 404
    assert anonymous.get(_route(page, "history")).status_code == 404
    assert anonymous.get(_route(page, "pdf", 2)).status_code == 404
    assert "QT-05/STP" not in _html(anonymous.get(world.node.page.url))
    search = _html(anonymous.get(reverse("procedure_search"), {"q": "dat dai"}))
    assert "QT-05/STP" not in search


@pytest.mark.parametrize(
    "query",
    ["thu tuc dat dai", "THỦ TỤC ĐẤT ĐAI", "Thu Tuc Đat Đai", "qt-05", "1.001806", "bien dong"],
)
def test_search_ignores_accents_and_case(anonymous, site, query):
    html = _html(anonymous.get(reverse("procedure_search"), {"q": query}))
    assert "Quy trình giải quyết thủ tục đất đai" in html
    assert f'href="{site["page"].url}"' in html


def test_search_finds_an_agency_by_its_name_without_accents(anonymous, world):
    ward = factories.agency(name="Phường Đống Đa", kind=AgencyKind.COMMUNE, parent=world.parent)
    other = factories.agency(name="Phường Ba Đình", kind=AgencyKind.COMMUNE, parent=world.parent)
    tthc = factories.tthc(working_days="5")
    for place, code in ((ward, "QT-01/DD"), (other, "QT-01/BD")):
        page = place.page.add_child(
            instance=procedure(place, title="Quy trình chứng thực", code=code, tthc=tthc)
        )
        factories.procedure_publish(page)
    html = _html(anonymous.get(reverse("procedure_search"), {"q": "Dong Da"}))
    assert "QT-01/DD" in html and "Phường Đống Đa" in html
    assert "QT-01/BD" not in html
    html = _html(anonymous.get(reverse("procedure_search"), {"q": "chung thuc"}))
    assert "QT-01/DD" in html and "QT-01/BD" in html
    assert "không tìm thấy" not in html.lower()
    html = _html(anonymous.get(reverse("procedure_search"), {"q": "chung thuc xyz"}))
    assert "QT-01" not in html


def test_the_search_column_holds_the_live_content_only(site):
    page = site["page"]
    assert "quy trinh giai quyet thu tuc dat dai" in page.search_folded
    assert "dang ky bien dong dat dai" in page.search_folded
    # the pending draft (another title) was saved as a revision: the column kept the live title
    assert "du thao" not in page.search_folded
    site["draft"].refresh_from_db()
    assert ProcedurePage.objects.get(pk=site["draft"].pk).live is False


def test_an_ended_agency_points_to_its_successors(anonymous, world):
    former = factories.agency(
        name="Quận Cũ thử",
        kind=AgencyKind.DISTRICT,
        parent=world.parent,
        valid_to=datetime.date(2025, 6, 30),
    )
    AgencySuccession.objects.create(
        predecessor=former,
        successor=world.node,
        kind="merge",
        effective_date=datetime.date(2025, 7, 1),
    )
    html = _html(anonymous.get(former.page.url))
    assert "30/06/2025" in html
    assert f'<a href="{world.node.page.url}">{world.node.name}</a>' in html
    successor = _html(anonymous.get(world.node.page.url))
    assert f'<a href="{former.page.url}">Quận Cũ thử</a>' in successor


def test_the_admin_preview_shows_the_draft_being_edited(world, site):
    response = site["draft"].make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quy trình dự thảo riêng tư" in html and "Bản xem trước dự thảo" in html


def test_public_pages_in_english(anonymous, world, site):
    anonymous.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _html(anonymous.get(site["page"].url))
    assert "Purpose" in html and "Issue history" in html


@pytest.mark.slow
def test_every_public_page_route_through_the_matrix():
    """Each public page route, as every actor of the marked world: allowed to everyone (a draft to
    no one) and never showing a private value (the draft on top of the live procedure is marked)."""
    from tests.test_authorization_matrix import run_matrix

    marked = factories.World.build(objects=True)
    failures = []
    for rule in PAGE_ROUTE_RULES:
        failures += run_matrix(marked, rules=[rule], only={"wagtail_serve"})
    assert not failures, "\n".join(failures)
