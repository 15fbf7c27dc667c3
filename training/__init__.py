"""Training, evaluation and export of the project's models (torch lives here, never in ``claims_ai``)."""
