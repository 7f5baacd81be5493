"""Screenshots a customer sends the agent during a live chat (issue #25).

- images.py: what is accepted (PNG or JPEG by their magic bytes and a full decode,
  at most MAX_BYTES and MAX_PIXELS) and the re-encoding that keeps only the pixels:
  no metadata (EXIF, GPS, ICC, text chunks, comments), no bytes after the image,
  so a polyglot (a PNG that is also HTML or a script) comes out a plain image.
- files.py: the files, under UPLOAD_DIR (outside every published directory), named
  at random, mode 600; never a name the customer chose.
- records.py: the rows linking each file to its ticket; accepted only while the
  ticket is with an agent; shown to that agent only; deleted, files included, with
  their ticket by retention and erasure (bot/services/privacy/).
"""
