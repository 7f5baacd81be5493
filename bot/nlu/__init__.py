"""The NLU pipeline's components and the rules and models they run."""
