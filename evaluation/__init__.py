"""Measuring the assistant: question sets, retrieval metrics, benchmarks."""
