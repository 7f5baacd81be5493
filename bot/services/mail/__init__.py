"""Mail: the queue, the templates in three languages, the worker that sends."""
