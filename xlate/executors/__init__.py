"""Executors of `xlate run`: the local one lives in `xlate.pipeline`; `ray` scales it out."""
