"""The live event loop that wires adapters to the core."""
