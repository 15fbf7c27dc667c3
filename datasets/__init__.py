"""Synthetic claim documents (installed as the ``claims_datasets`` package: the folder is ``datasets/``)."""
