"""What tests and benchmarks share: the environment, servers, clients, helpers."""
