"""The second part of the authorization matrix (see ``PARTS`` in tests/test_authorization_matrix.py):
a module of its own so that another pytest-xdist worker runs it."""

import pytest

from tests.test_authorization_matrix import PARTS, marked_world, run_matrix  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # every URL of its part as every actor
def test_authorization_matrix_part_1(marked_world):  # noqa: F811
    assert PARTS == 2, "one module per part: add tests/test_authorization_matrix_partN.py"
    failures = run_matrix(marked_world, part=1)
    assert not failures, f"{len(failures)} authorization mismatches:\n" + "\n".join(failures[:300])
