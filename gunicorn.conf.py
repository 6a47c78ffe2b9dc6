"""gunicorn's configuration for the portal (read from the working directory, or with --config).

Every value can be set from the environment (GUNICORN_*, WEB_CONCURRENCY), so one image serves
a small office server and a larger one. The defaults are measured with ``make bench ARGS=load``.
"""

import os

wsgi_app = "pengjiang_enforcement.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# A page is CPU work in Python (templates, forms) between short database round trips, and
# PostgreSQL runs on the same machine in a small installation: one process per core keeps every
# core busy without processes queueing for the CPU behind each other.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
# Sync workers: pages are short and the portal sits behind a proxy (or on an intranet), so no
# slow client holds a worker; threads would only contend for the GIL.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Loading Django once in the master before forking saves each worker's start-up and memory.
preload_app = True
# A worker is replaced after this many requests (with jitter, so not all at once): memory a
# long-running process accumulates is returned.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request id middleware's header, so an access log line can be matched with the portal's log.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}o)s"'
