"""botogen: the command line that ties the generator and the runtime together."""
