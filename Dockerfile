# One image for the API, the notifier and the one-shot migrate job (docker-compose.yml,
# deploy/kubernetes/). Two stages: the first installs, the second runs; no compiler, pip cache
# or build file is left in what runs.
#
# The base is pinned to a Python release on a Debian release, and every package to the version
# and sha256 in requirements.lock (`make lock` writes it): two builds of one commit install the
# same files. To move the base on, change both FROM lines together (deploy/README.md).
ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm
# Only to install GOV.UK Frontend for the pages (services/pages/frontend/package-lock.json):
# its stylesheet, fonts and images are copied into the image, Node.js is not.
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

FROM ${NODE_IMAGE} AS pages

WORKDIR /frontend
COPY services/pages/frontend/package.json services/pages/frontend/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund


FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# The packages in a virtual environment of their own, which the second stage copies whole.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

WORKDIR /app
COPY pyproject.toml README.md ./
COPY migrations/ migrations/
COPY services/ services/
# Installed in place (-e): `policygov migrate` finds migrations/ and pyproject.toml next to
# services/, which a copy in site-packages would not have. Nothing more is fetched (--no-deps).
RUN pip install --no-deps -e . \
    && python -m compileall -q services migrations


FROM ${PYTHON_IMAGE} AS run

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

# DejaVu Sans for the PDFs we write ("You said, we did": services/domain/consultations/
# summary_pdf.py), so curly quotes, dashes and the pound sign print as typed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 policygov \
    && useradd --system --uid 10001 --gid policygov --home-dir /app --no-create-home policygov

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=pages /frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
    /app/services/pages/frontend/node_modules/govuk-frontend/dist/govuk/
COPY --from=pages /frontend/node_modules/govuk-frontend/dist/govuk/assets \
    /app/services/pages/frontend/node_modules/govuk-frontend/dist/govuk/assets
# var/ is the one place the processes write (the notifier's health file, local mail, the
# metrics of the API's worker processes); with a read-only root filesystem it is a volume.
RUN mkdir -p var && chown policygov:policygov var

# Numeric, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('POLICYGOV_API_PORT', '8000') + '/healthz', timeout=4)"]

CMD ["policygov", "serve", "--host", "0.0.0.0"]
