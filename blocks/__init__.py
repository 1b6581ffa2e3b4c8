"""The Netlife portal: its settings (a Prefect block), credentials, and the HTTP client."""
