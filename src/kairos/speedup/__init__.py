"""The speed-up law: how much a prior shortens search, measured, fitted and drawn.

- :mod:`kairos.speedup.measure`: code lengths of found paths, paired rows, the log-log fit;
- :mod:`kairos.speedup.experiment`: nested priors and compressor estimates on a task set;
- :mod:`kairos.speedup.figure`: the log-log figure.
"""
