# syntax=docker/dockerfile:1
# gridbot: build the locked environment with uv, run it as an unprivileged user.
#   docker build -t gridbot .
#   docker run --env-file gridbot.env gridbot db upgrade
#   docker run --env-file gridbot.env -p 127.0.0.1:8080:8080 gridbot run --webhook

FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY README.md alembic.ini ./
COPY core core
COPY models models
COPY knowledge knowledge
COPY services services
COPY handlers handlers
COPY bot bot
COPY migrations migrations
# The project itself into the environment (not editable: /src stays behind in this stage).
RUN uv sync --locked --no-dev --no-editable

FROM python:3.11-slim
RUN groupadd --system --gid 10001 gridbot \
    && useradd --system --uid 10001 --gid gridbot --home-dir /home/gridbot --create-home gridbot
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    GRIDBOT_LISTEN=0.0.0.0:8080
USER gridbot
WORKDIR /home/gridbot
EXPOSE 8080
# Alive (not: active) — a standby is healthy too; the proxy asks /readyz which one is active.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["gridbot"]
CMD ["run"]
