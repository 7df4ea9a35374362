"""Benchmarks: each module runs on a database and Redis DB of its own (see bench/README.md)."""
