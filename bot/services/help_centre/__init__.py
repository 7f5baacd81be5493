"""The help centre: articles read from `help/<language>/<slug>.md`, split into
passages, and searched (lexical BM25 over our lemmas fused with the multilingual
sentence encoder) so a question gets the article and the passage that answer it."""
