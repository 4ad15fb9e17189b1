"""Fetch: study records downloaded from the ClinicalTrials.gov API v2.

``GET {base}NCT…`` with a timeout, a few retries (with a short, growing
pause) for a connection that fails or a server error, and one line saying
what went wrong otherwise. The base URL is ``--api-url``, else the
environment variable ``JAKDATA_CTGOV_API``, else the public API.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from jakdata.errors import UnusableInput
from jakdata.tools.ctgov.record import API, NCT_ID

ENV_API = "JAKDATA_CTGOV_API"
#: the most a record may be (the largest real records are a few megabytes)
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class FetchOptions:
    base: str = ""  # empty: the environment variable, else the public API
    timeout: float = 30.0  # seconds per request
    retries: int = 3  # attempts in all for a failed connection or a server error
    pause: float = 0.5  # seconds before the second attempt; doubled after each

    @property
    def url(self) -> str:
        base = self.base or os.environ.get(ENV_API, "") or API
        return base if base.endswith("/") else base + "/"


def record_url(nct: str, options: FetchOptions) -> str:
    return f"{options.url}{nct}"


def fetch_record(nct: str, options: FetchOptions) -> bytes:
    """The bytes of the record ``nct`` from the API, or :class:`UnusableInput`
    in one line (an unknown id, a server that keeps failing, no connection)."""
    import urllib.error
    import urllib.request

    nct = nct.strip().upper()
    if not NCT_ID.match(nct):
        raise UnusableInput(
            "not an NCT number (NCT and 8 digits); --fetch takes registry ids, such as NCT02210780", nct
        )
    url = record_url(nct, options)
    if not url.startswith(("http://", "https://")):
        raise UnusableInput(f"the API URL {options.url!r} is not an http(s) URL (--api-url or {ENV_API})")
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "jakdata"})
    last = ""
    for attempt in range(max(1, options.retries)):
        if attempt:
            time.sleep(options.pause * 2 ** (attempt - 1))
        try:
            with urllib.request.urlopen(request, timeout=options.timeout) as response:
                data: bytes = response.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise UnusableInput(f"the answer from {url} is larger than {MAX_BYTES // 2**20} MB", nct)
            return data
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise UnusableInput(f"{url} answered HTTP 404: the registry has no record {nct}", nct) from None
            last = f"{url} answered HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"cannot reach {url} ({reason})"
    tries = max(1, options.retries)
    raise UnusableInput(
        f"{last} after {tries} attempt{'s' if tries > 1 else ''}; check the connection, or give the API's address "
        f"with --api-url or {ENV_API}",
        nct,
    )
