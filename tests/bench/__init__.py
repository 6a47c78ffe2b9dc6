"""Benchmarks behind `make bench`. Each module registers functions that return result rows."""
