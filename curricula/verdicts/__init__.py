"""Title verdicts: does an entry's label name the work its link points at? (see judge.py)"""
