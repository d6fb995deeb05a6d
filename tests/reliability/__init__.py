"""Reliability: training resumes after a kill, corrupt files, permissions, reproducible bytes."""
