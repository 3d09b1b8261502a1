"""Each person's reading state and notes (see issue 3)."""
