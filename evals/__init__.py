"""Scripted call evals: scenario files, simulated callers, grading and reports.

Run them with ``frontdesk eval``; see :mod:`evals.scenario` for the file format.
"""
