"""Prefect tasks: thin wrappers that call plain functions and name what they did."""
