"""Robustness benchmark: recall of perceptual-hash matchers under edits, at fixed pairwise FPRs.

Run as a script: ``.venv/bin/python bench/robustness/run.py [--quick]`` (see README.md).
"""
