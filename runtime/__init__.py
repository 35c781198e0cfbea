"""Hand-written, service-agnostic runtime that generated packages build on."""
