"""Every change to Rasa's internals: the registry (registry.py) and what it installs."""
