"""The headers of every dashboard page: no framing, no inline script, no powerful feature, nothing cached."""

from __future__ import annotations

__all__ = ["HEADERS", "HSTS"]

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    # The dashboard uses no camera, microphone, location, payment or other powerful feature: no
    # script that ever got in could ask for one either (OWASP ASVS 14.4).
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "payment=(), usb=(), browsing-topics=()"
    ),
}
#: Over https the browser is told to come back over https only, for a year (OWASP ASVS 9.1.1).
HSTS = "max-age=31536000"
