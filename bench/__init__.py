"""Benchmarks: timing scripts, run by hand; they assert nothing about speed."""
