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

# A request running longer than this is stopped and its worker replaced
# (publishing large files goes through the job worker, not a request).
timeout = 120
graceful_timeout = 20
keepalive = 5

# CKAN writes its own request log through the ini's loggers.
accesslog = None
errorlog = "-"
loglevel = "warning"
