"""arXiv: a small API client, Atom parsing and the service that stores paper metadata."""
