# syntax=docker/dockerfile:1
# Sitrep: multi-stage build; the runtime image has only the installed package and a non-root user.

FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY sitrep ./sitrep
COPY storage ./storage
RUN python -m venv /opt/sitrep \
    && /opt/sitrep/bin/pip install --no-cache-dir .

FROM python:3.11-slim AS runtime
LABEL org.opencontainers.image.title="sitrep" \
      org.opencontainers.image.description="Per-region alerts from official Ukrainian channels, on Telegram"
ENV PATH=/opt/sitrep/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/sitrep.sqlite3 \
    SITREP_DATA_DIR=/data \
    SITREP_METRICS_PORT=9108
RUN groupadd --system --gid 10001 sitrep \
    && useradd --system --uid 10001 --gid sitrep --home-dir /data sitrep \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/sitrep /opt/sitrep
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9108 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["sitrep", "healthcheck"]
ENTRYPOINT ["sitrep"]
CMD ["run"]
