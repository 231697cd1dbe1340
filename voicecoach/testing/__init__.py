"""Helpers shared by the tests and the benchmarks (synthesized audio, rooms).

Importable by both, never imported by the product itself.
"""
