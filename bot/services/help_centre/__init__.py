"""The help centre: articles as files (help/<language>/<slug>.md) and their import
from a Zendesk Help Center export or markdown."""
