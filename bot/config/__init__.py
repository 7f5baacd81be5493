"""Configuration: settings from the environment, the policy file, derived keys and
private files. Imports nothing else of ours, so every layer may read it."""
