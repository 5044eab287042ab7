"""The N82x rule codes of ``bibvault add``, for the central rules registry.

Each is a :class:`~bibvault.rules.Rule`; :mod:`bibvault.registry` gathers them with
the others. Every one of them refuses the source: no record is written.
"""

from __future__ import annotations

from bibvault.findings import Finding, Severity
from bibvault.rules import Rule

E = Severity.ERROR

RULES: tuple[Rule, ...] = (
    Rule("N821", E, "page answered an HTTP error",
     "The address answered 4xx or 5xx (after the retries that 429 and 5xx get), so there is "
     "no page to cite. Check the address; `--from-archive` reads the Web Archive's copy."),
    Rule("N822", E, "bot challenge",
     "The site answered with a page that asks a browser to prove it is human (\"Just a "
     "moment...\", a CAPTCHA, Cloudflare's challenge) instead of the content. Its title is no "
     "title of the work; try `--from-archive`, or add the record by hand."),
    Rule("N823", E, "consent wall",
     "The site answered with a cookie or consent page instead of the content. For a "
     "YouTube or Vimeo address the video is still added from oEmbed (title, channel), "
     "with this code as a warning that the upload date and duration are missing."),
    Rule("N824", E, "login or paywall page",
     "The address led to a sign-in or subscription page with no metadata of the work."),
    Rule("N825", E, "soft 404",
     "The page answers 200 but is a not-found page, or the address redirects to the "
     "site's home page or to a not-found path."),
    Rule("N826", E, "network failure",
     "The source could not be fetched: the host name does not resolve, the connection was "
     "refused or timed out, or the body exceeded the byte cap or the deadline. `add` exits 2."),
    Rule("N827", E, "DOI not found",
     "Neither Crossref nor DataCite knows the DOI. Check it for typos (a trailing full stop, "
     "a missing character)."),
    Rule("N828", E, "unreadable source",
     "The source is neither an HTML page nor a PDF that can be read (another content type, a "
     "damaged PDF, an unreadable file)."),
    Rule("N829", E, "nothing to cite",
     "No title could be found in the page, the PDF or the registry record."),
    Rule("N830", E, "no archived copy",
     "With `--from-archive`, the Web Archive has no successful capture of the address."),
)


def refusal(code: str, message: str, source: str) -> Finding:
    """An error finding of one of these rules about ``source``: it refuses the source."""
    return Finding(code, E, message, file=source)
