"""The help centre: articles as files (help/<language>/<slug>.md), their import from a
Zendesk Help Center export or markdown, and their search (lexical BM25 over our lemmas
fused with the multilingual sentence encoder, passage level) so a question gets the
article and the passage that answer it."""
