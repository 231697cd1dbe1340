"""Acoustic echo cancellation: hearing the person over the coach's own voice."""
