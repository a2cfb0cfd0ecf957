"""Benchmarks. Each module prints JSON with medians and ratios measured side by side."""
