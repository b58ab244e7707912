"""Browser tests of the built site (a package, so that its conftest.py and the
repository's tests/conftest.py do not collide as modules named conftest)."""
