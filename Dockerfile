# The 科室会 service: one image for the web server, the migration step and the scheduler
# (compose.yaml picks the role through the entrypoint's argument).
# Not built on the development machines (no container registry there): CI runs
# scripts/entrypoint.sh outside a container and checks compose.yaml instead. See docs/operations.md.
FROM python:3.11-slim

# A CJK TrueType font for the printed forms to embed (SPEC §11), and
# pg_dump/pg_restore for backups from inside the container.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei postgresql-client \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PDF_FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
    PDF_FONT_INDEX=0 \
    TIMEZONE=Asia/Shanghai \
    PORT=8000

WORKDIR /app
# the pinned requirements first: the layer is reused while only the code changes.
# -c requirements.lock: every transitive dependency at the version CI tested
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock

COPY meetings ./meetings
COPY migrations ./migrations
COPY templates ./templates
COPY translations ./translations
COPY scripts ./scripts
COPY wsgi.py ./

# never root: the service needs no privilege; instance/ is its only writable place
# (instance/files: the attachments' bodies, a volume in compose.yaml, owned by the service).
# USER by number: a platform that refuses root images (runAsNonRoot) can check it
RUN useradd --system --uid 10001 --home-dir /app meetings \
 && mkdir -p /app/instance/files && chown 10001 /app/instance /app/instance/files
USER 10001

EXPOSE 8000
ENTRYPOINT ["/app/scripts/entrypoint.sh"]
CMD ["web"]
