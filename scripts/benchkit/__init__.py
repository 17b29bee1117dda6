"""Pieces of `make bench` (scripts/bench.py), one job each."""
