# liftwatch, CPU image: serves the live demo (synthetic stations, alarms, API, dashboard) on port
# 8080; alarms, snapshots and masks go to the /data volume. The API listens on all interfaces,
# so it needs an API key (LIFTWATCH_API_KEYS or LIFTWATCH_API_KEYS_FILE: `liftwatch keys hash`
# makes one); without one `serve` refuses to start. docker-compose.yml sets this up.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIFTWATCH_DATA_DIR=/data/liftwatch

# No apt packages: opencv-python-headless bundles its libraries and needs only libz and
# libstdc++, both already in python:3.11-slim (no libgl1, no libglib2.0-0).

# CPU torch first, in its own layer: `pip install .` then finds torch>=2.13,<2.14 satisfied
# and pulls no CUDA wheels.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

WORKDIR /app
COPY pyproject.toml README.md ./
COPY models ./models
COPY service ./service
COPY station_configs ./station_configs
RUN pip install . && rm -rf build *.egg-info

RUN useradd --create-home --uid 10001 liftwatch \
    && mkdir -p /data \
    && chown liftwatch:liftwatch /data
USER liftwatch
VOLUME /data

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

ENTRYPOINT ["liftwatch"]
CMD ["serve", "--demo", "--host", "0.0.0.0"]
