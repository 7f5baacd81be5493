"""The desk's agents: their sign-ins and the limits on failed attempts."""
