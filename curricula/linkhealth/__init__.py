"""Link health: the checker, per-host politeness, the outage breaker, selectors and services."""
