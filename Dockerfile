# liftwatch, CPU image: runs the synthetic demo by default; its output goes to the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

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

ENTRYPOINT ["liftwatch"]
CMD ["demo", "--out", "/data/demo"]
