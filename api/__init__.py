"""HTTP API for claims-ai (FastAPI). ``create_app`` builds it; models load once in the lifespan."""

from api.app import create_app

__all__ = ["create_app"]
