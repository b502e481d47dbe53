"""Scaling laws: fit power, Chinchilla, saturating, broken and coverage laws with bootstrap CIs.

``LAWS`` is the registry of laws by CLI name; :func:`fit_law` fits one,
:func:`bootstrap` resamples the data for percentile CIs, and
:func:`plateau_test` decides by extrapolation whether a curve saturates.
"""
