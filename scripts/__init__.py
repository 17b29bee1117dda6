"""Makefile helpers (install, train, run, bench, audit); a package so that its modules can
share code (scripts.audit uses scripts.advisories)."""
