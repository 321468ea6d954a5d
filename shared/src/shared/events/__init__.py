"""Events between services: envelope, transactional outbox and relay, durable consumers."""
