"""The local rehearsal of the pipeline: the same program and state machines, run on moto."""
