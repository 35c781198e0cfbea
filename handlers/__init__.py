"""Hand-written business rules on top of the generated skeletons, one package per service."""
