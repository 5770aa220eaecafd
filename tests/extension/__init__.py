"""A test-only app that plugs into the core's extension points without editing the core.

Installed only when the tests run (qms/settings.py adds it when TESTING). It registers a resource
with a relation grant (the owner of a case reads and changes it wherever it lives), a transition
(closing a case, refused to its owner: separation of duties), its matrix
rules (tests/extension/authz_rules.py) and its marker objects for the leak test.
"""
