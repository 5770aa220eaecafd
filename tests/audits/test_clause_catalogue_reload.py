"""The demo loads the clause catalogue (migration data) again when a flush emptied it: a
transactional test flushes every table, and journey 2 seeds the demo after such a test."""

import pytest

from audits.demo import clause_catalogue_ensure
from audits.models import Clause, Question

pytestmark = pytest.mark.django_db


def test_the_demo_reloads_an_emptied_clause_catalogue():
    """After a flush (the catalogue is migration data), the demo loads the clauses and the
    bank's questions again, exactly once."""
    clause_catalogue_ensure()  # whatever an earlier flush left
    count = Clause.objects.count()
    questions = Question.objects.filter(agency=None).count()
    assert count > 90 and questions > 0
    assert clause_catalogue_ensure() == 0
    Question.objects.all().delete()
    for depth in (4, 3, 2, 1):
        Clause.objects.filter(depth=depth).delete()
    assert clause_catalogue_ensure() == count
    assert Clause.objects.get(number="8.5.1").parent.number == "8.5"
    assert Question.objects.filter(agency=None).count() == questions
    assert clause_catalogue_ensure() == 0
