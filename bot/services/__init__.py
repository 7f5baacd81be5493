"""Business rules, by domain (identity, agents, mail, handoff, account, insights,
privacy) plus what several domains share (dates, topics, conversation IDs, the
satisfaction question, the form slots read back from events).

Plain functions over a SQLAlchemy session, no Rasa imports, so actions stay about
dialogue and tests need no Rasa.
"""
