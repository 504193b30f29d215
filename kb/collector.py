"""Python's cyclic garbage collector, tuned for a server process.

By default the collector runs after every 700 new container objects, and each of its fuller
passes walks every object the process holds. A dashboard request makes tens of thousands of
short-lived objects (rows, model instances, HTML pieces) that form no cycle, while the process
keeps the site's code, templates and cached figures: the default set it off hundreds of times
per request, each time over all of that. Measured on the agency page at 50,000 records
(BENCHMARKS.md, "Dashboards"), a cold request took a quarter less with the thresholds below.

`tune()` raises the thresholds and, once the site is loaded, `gc.freeze()` sets everything
loaded so far aside for good (it is never garbage; forked workers also keep sharing its memory
pages). Cycles are still collected, less often: a request's garbage waits at most some tens of
thousands of allocations.
"""

import gc

THRESHOLDS = (50_000, 20, 20)


def tune():
    """For a process that has just loaded the site (kb/wsgi.py, the benchmarks)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
