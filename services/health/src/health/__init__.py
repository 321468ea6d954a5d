"""Health service: dependency checks and, later, the platform's metrics."""
