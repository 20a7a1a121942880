# gunicorn settings for scripts/serve and benchmarks/error_reports.py.
#
# The caller gives the bind address (--bind) and the CKAN configuration file
# ($CKAN_INI). Each worker process loads CKAN itself (no preload: a database
# connection opened before the fork would be shared by every worker).
import os

wsgi_app = "ckanext.koreanap.wsgi:application"

# KOREANAP_WORKERS processes (default: one per CPU), each with
# KOREANAP_THREADS threads, so a slow download does not hold up other pages.
workers = int(os.environ.get("KOREANAP_WORKERS") or os.cpu_count() or 2)
threads = int(os.environ.get("KOREANAP_THREADS") or 4)
worker_class = "gthread"
# A worker takes at most this many connections at once; the rest wait in the
# listening socket for whichever worker is free first. Without a cap a busy
# worker kept accepting and its queue, not the free worker, served them:
# 50 concurrent error-report submitters saw p95 twice the median.
worker_connections = 2 * threads
# No keep-alive: each response closes its connection. A capped worker stops
# watching its idle kept-alive connections, so a request sent on one waited
# until it timed out (seen with 50 keep-alive submitters). Opening a new
# connection on loopback or behind a proxy costs little.
keepalive = 0

# A worker whose main loop stops answering the master this long is replaced
# (requests run in its threads, so a long download does not count).
timeout = 120
graceful_timeout = 20

# CKAN writes its own request log through the ini's loggers.
accesslog = None
errorlog = "-"
loglevel = "warning"
