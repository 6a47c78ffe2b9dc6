import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pengjiang_enforcement.settings")
application = get_wsgi_application()

# The code and settings loaded so far live as long as the worker: move them out of the garbage
# collector's reach, so a full collection scans what requests make rather than the whole of Django
# (otherwise one page in a few dozen pays 100 ms or more for it, which is the p95 of a page).
gc.freeze()
