"""What runs inside Rasa's processes: the server and training entry points, the
action server, the plug-ins endpoints.yml names (tracker store, lock store, event
broker), log scrubbing and the patches to Rasa's internals."""
