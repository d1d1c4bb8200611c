"""Canonical URLs: one spelling per article, so that copies found by different routes meet.

``canonical_url`` lower-cases the scheme and host, drops default ports, fragments and tracking
parameters (``utm_*``, ``fbclid``, ``gclid``...), and prefers the page's own
``<link rel="canonical">`` when it is a valid http(s) URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "canonical_url", "find_canonical_link"]

#: query parameters that only track the reader (exact names; ``utm_*`` and friends by prefix)
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "twclid",
        "ttclid",
        "li_fat_id",
        "srsltid",
        "at_medium",
        "at_campaign",
        "ito",
        "spm",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "piwik_", "mtm_", "hsa_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str, canonical: str | None = None) -> str:
    """The canonical spelling of ``url`` (or of ``canonical``, the page's own claim, resolved
    against ``url``, when it is http(s)). Returns ``url`` stripped when it cannot be parsed."""
    url = url.strip()
    if canonical:
        try:  # a malformed claim ("https://[host/...") is ignored, not fatal
            candidate = urljoin(url, canonical.strip()) if url else canonical.strip()
            parts = urlsplit(candidate)
            if parts.scheme.lower() in _DEFAULT_PORTS and parts.hostname:
                url = candidate
        except ValueError:
            pass
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return url
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if not _is_tracking(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def find_canonical_link(html_head: str) -> str | None:
    """The ``href`` of the first ``<link rel="canonical">`` in an HTML text, if any."""
    for tag in _LINK_TAG.findall(html_head):
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(tag)
        }
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            return attrs["href"].strip()
    return None
