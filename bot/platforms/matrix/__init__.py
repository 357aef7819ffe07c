"""Matrix adapter (matrix-nio): room messages in, ``m.notice`` replies out."""
