"""An example Studio pack: procedural noise images (packaging/pack-template)."""
