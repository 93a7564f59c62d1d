"""Test helpers shipped for users: hypothesis strategies derived from the contract.

Imports: harness.contract (and hypothesis, an optional dependency).
"""
