# Mystery Patient — one container serving the web app; data (SQLite database, uploaded
# evidence, generated secret key) lives in the /data volume.
#
#   docker build -t mystery-patient .
#   docker run -p 8000:8000 -v mp-data:/data mystery-patient
#   docker run --rm -v mp-data:/data mystery-patient mystery-patient demo seed    # optional demo data
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Chromium prints the PDF reports (gap report, journey map on A3); without it those answer 503.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 mp \
 && mkdir -p /data/media \
 && chown -R mp:mp /data

WORKDIR /app

# Dependencies and the package first, so that editing templates or checklists reuses this layer.
COPY pyproject.toml ./
COPY app/ app/
RUN pip install . \
 && rm -rf build *.egg-info \
 && if ls app/locales/*/LC_MESSAGES/*.po >/dev/null 2>&1; then pybabel compile -d app/locales; fi

# The app reads these from the project root (/app).
COPY alembic.ini ./
COPY migrations/ migrations/
COPY templates/ templates/
COPY checklists/ checklists/

# Import `app` from /app (not the installed copy), so that templates/, migrations/ and
# checklists/ are found next to it.
ENV PYTHONPATH=/app \
    MP_VAR_DIR=/data \
    MP_DATABASE_URL=sqlite:////data/mystery-patient.db \
    MP_MEDIA_DIR=/data/media \
    MP_HOST=0.0.0.0 \
    MP_PORT=8000

USER mp
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

CMD ["mystery-patient", "serve", "--host", "0.0.0.0", "--port", "8000"]
