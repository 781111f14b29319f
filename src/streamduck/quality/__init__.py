"""Great Expectations quality checks over the warehouse's typed views.

Expectations are declared per stream in ``<stream file>.expectations.yml`` next to the stream
definitions; every source stream also gets defaults derived from its declared columns. Checks read
the warehouse read-only, stream each view in Arrow record batches, validate every batch with GX's
pandas data source and add the per-batch results up, so memory stays bounded by one batch.
"""

from __future__ import annotations

from streamduck.quality.runner import CheckReport, ExpectationOutcome, StreamResult, run_checks

__all__ = ["CheckReport", "ExpectationOutcome", "StreamResult", "run_checks"]
