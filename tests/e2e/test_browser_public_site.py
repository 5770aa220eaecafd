"""In a real browser, the public site as a citizen reads it: at phone width nothing scrolls
sideways and step tables become stacked rows; printed, a procedure keeps only the document; the
history shows the step an issue added, highlighted; no error in the console."""

from decimal import Decimal

import pytest

from qms.models import AgencyKind
from tests import factories
from tests.documents.authz_rules import _with_step, procedure

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture
def public_procedure(transactional_db):
    """Created before the browser starts (the sync API runs an event loop in this thread)."""
    city = factories.agency(name="Thành phố Mẫu", kind=AgencyKind.PROVINCE, code="TPM")
    department = factories.agency(name="Sở Tư pháp Mẫu", parent=city, code="STPM")
    tthc = factories.tthc(
        code="1.001806", name="Cấp Phiếu lý lịch tư pháp cho công dân", working_days="10"
    )
    page = department.page.add_child(
        instance=procedure(
            department,
            title="Quy trình cấp Phiếu lý lịch tư pháp cho công dân",
            code="QT-05/STPM",
            tthc=tthc,
            steps=[("Bước 1", Decimal("0.5")), ("Bước 2", Decimal("9"))],
            live=False,
        )
    )
    factories.procedure_publish(page)
    factories.procedure_publish(
        page,
        services=_with_step(
            page,
            {"code": "Bước 3", "content": "Trả kết quả cho công dân", "output": "Phiếu LLTP"},
        ),
        change_summary="Bổ sung bước trả kết quả",
    )
    page.refresh_from_db()
    return {"agency": department.page.url, "procedure": page.url}


def _open(page, url, errors):
    errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    assert errors == [], f"{url}: {errors}"


def test_public_pages_at_phone_width_in_print_and_the_history(
    public_procedure, live_server, browser
):
    errors = []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(locale="vi-VN", viewport=viewport)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        base = live_server.url
        for path in (
            public_procedure["agency"],
            public_procedure["procedure"],
            public_procedure["procedure"] + "lich-su/",
            "/tra-cuu/?q=ly+lich+tu+phap",
        ):
            _open(tab, base + path, errors)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{path} scrolls sideways at {viewport}: {width}"
        _open(tab, base + public_procedure["procedure"], errors)
        thead = tab.evaluate(
            "getComputedStyle(document.querySelector('table.steps thead')).display"
        )
        assert (thead == "none") == (viewport is PHONE)
        if viewport is DESKTOP:
            tab.emulate_media(media="print")
            for hidden in (".mainnav", ".breadcrumbs", ".actions", "footer.site-footer"):
                assert not tab.locator(hidden).first.is_visible(), hidden
            assert tab.locator("table.steps").first.is_visible()
            tab.emulate_media(media="screen")
            _open(tab, base + public_procedure["procedure"] + "lich-su/", errors)
            added = tab.locator('tr.issue-diff-added[data-step="Bước 3"]')
            assert added.is_visible() and "Trả kết quả cho công dân" in added.inner_text()
        context.close()
