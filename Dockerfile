# Wintertrack: one image for the API, the projector, the relay and the ingest services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --create-home --uid 10001 wintertrack
# Pango, HarfBuzz and fonts: WeasyPrint draws the board's monthly paper as PDF with them.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-liberation fontconfig \
  && rm -rf /var/lib/apt/lists/*
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
