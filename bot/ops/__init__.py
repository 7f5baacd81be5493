"""Operations: the `python -m bot` commands, the production profile on one machine,
the demo data and the local mail sink."""
