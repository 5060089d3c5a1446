"""Evaluation: every analysis scored against the planted truth of a synthetic world, and against the
labelled real development sets in ``../shared/data/real`` when they are present.

Reads planted-truth files and real sets; never imports the world generator.
"""
