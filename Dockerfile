# CPU service image; `--build-arg RUNTIME=gpu` swaps onnxruntime for onnxruntime-gpu (needs the NVIDIA runtime).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE} AS base
ARG RUNTIME=cpu
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CLAIMS_AI_HOST=0.0.0.0 CLAIMS_AI_PORT=8000
# OpenCV's headless wheel still needs libgl-free basics; fonts are not needed to serve.
RUN apt-get update && apt-get install -y --no-install-recommends libglib2.0-0 libgomp1 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 claims
WORKDIR /app
COPY pyproject.toml README.md ./
COPY claims_ai ./claims_ai
COPY api ./api
COPY datasets ./datasets
COPY models ./models
RUN pip install . \
    && if [ "$RUNTIME" = "gpu" ]; then \
         pip uninstall -y onnxruntime && pip install "onnxruntime-gpu>=1.20,<2"; \
       fi
ENV CLAIMS_AI_MODELS_DIR=/app/models CLAIMS_AI_SERVICE__DATA_DIR=/data
RUN mkdir -p /data && chown claims /data
USER claims
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["claims-ai", "serve"]
