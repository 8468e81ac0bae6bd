# Wintertrack: one image for the API, the projector, the relay and the ingest services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --create-home --uid 10001 wintertrack
WORKDIR /app
COPY pyproject.toml README.md ./
COPY capacity capacity
COPY schemes schemes
COPY projections projections
COPY api api
COPY wintertrack wintertrack
RUN pip install .
USER wintertrack
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["wintertrack", "serve", "--host", "0.0.0.0", "--port", "8000"]
