"""The plain functions the Prefect tasks call: discovery and job fetching, testable without Prefect."""
