"""Executors of `xlate run`: the local one lives in `xlate.pipeline`; `ray` scales it out."""
from xlate.errors import XlateError


class ExecutorError(XlateError):
    """A distributed run failed as a whole (a worker or the cluster, not one article);
    rerunning with the same OUT resumes it."""
