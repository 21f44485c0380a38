# One image for the API, the notifier and the one-shot migrate job (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system policygov \
    && useradd --system --gid policygov --home-dir /app --no-create-home policygov

WORKDIR /app

# Dependencies first, read from pyproject.toml, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md ./
COPY migrations/ migrations/
COPY services/ services/
# Installed in place (-e): `policygov migrate` finds migrations/ and pyproject.toml next to
# services/, which a copy in site-packages would not have. No dev extras.
RUN pip install --no-deps -e . \
    && mkdir -p var \
    && chown policygov:policygov var

USER policygov
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('POLICYGOV_API_PORT', '8000') + '/healthz', timeout=4)"]

CMD ["policygov", "serve", "--host", "0.0.0.0"]
