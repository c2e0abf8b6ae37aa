# syntax=docker/dockerfile:1
# Two stages: wheels are built with compilers in "build", the runtime image carries only the venv.

FROM python:3.13-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

FROM python:3.13-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DATA_DIR=/data \
    MUSIC_ROOT=/music \
    HOST=0.0.0.0 \
    PORT=8000
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --uid 1000 spotifydl \
 && mkdir -p /data /music \
 && chown spotifydl:spotifydl /data /music
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=spotifydl:spotifydl . /app
# Static files are collected into the image; a throwaway key keeps settings from writing one.
RUN SECRET_KEY=collectstatic-only DATA_DIR=/tmp/build-data python manage.py collectstatic --noinput -v 0 \
 && rm -rf /tmp/build-data
USER spotifydl
VOLUME ["/data", "/music"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["tini", "--"]
CMD ["python", "manage.py", "serve", "--migrate"]
