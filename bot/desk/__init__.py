"""The agent desk: a small web app where support agents take over conversations."""
