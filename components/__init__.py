"""One ComponentResource per concern of the pipeline."""
