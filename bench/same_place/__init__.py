"""Same-place linking benchmark: several views of one scene, linked by hashwarden's case code.

Run: ``.venv/bin/python bench/same_place/run.py --seed 1``. See README.md.
"""
