"""What a document is on its way to the index, and how it gets there.

- ``sandbox.parse_in_sandbox(path, timeout_s=, memory_mb=, max_bytes=, cancelled=, progress=)``:
  type by content (``detect``), then the format's parser (``parsers``) in a limited child process.
- ``clean.clean_document(doc)``: normalised text, running headers/footers removed.
- ``chunk.chunk_text(doc_id, cleaned, size=, overlap=, max_tokens=, count_tokens=)``: chunks with
  pages and offsets into ``cleaned.text``.
- ``detect.is_supported(path)``: the cheap by-name check for folder walks.

Every failure is an ``IngestError`` with a specific kind and a message for the user.
"""
