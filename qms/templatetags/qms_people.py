"""``{{ user|person_name }}``: a person in a template, named the one way qms names people."""

from django import template

from qms import people

register = template.Library()


@register.filter
def person_name(user) -> str:
    return people.person_name(user)
