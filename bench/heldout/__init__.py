"""History generators written independently of the suggestion engine, for held-out replay
evaluation."""
