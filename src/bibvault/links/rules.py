"""The L4xx rule codes of the link checker, for the central rules registry.

Each is a :class:`~bibvault.rules.Rule`; :mod:`bibvault.registry` gathers them with the others.
"""

from __future__ import annotations

from bibvault.findings import Severity
from bibvault.rules import Rule

RULES: tuple[Rule, ...] = (
    Rule("L401", Severity.ERROR, "dead link",
         "The URL answered 404 or 410, its host name does not resolve, the connection was "
         "refused, or TLS failed. One failure may be transient: the record is only marked "
         "`urlstatus = {dead}` once it is confirmed (L409)."),
    Rule("L402", Severity.WARNING, "soft 404",
         "The page answers 200 but is not the content: it redirects to the site's home page "
         "or to a not-found path, or its title says the page was not found."),
    Rule("L403", Severity.WARNING, "permanently redirected",
         "The URL answers with a permanent redirect (301 or 308). Update the record to the "
         "new URL, which the finding names and its fix sets."),
    Rule("L404", Severity.INFO, "blocked",
         "The site refused the checker (401, 403, 999, or a bot challenge). The page may "
         "well be alive; check it in a browser. Never reported as dead."),
    Rule("L405", Severity.WARNING, "rate-limited",
         "The site answered 429 on every retry, or asked for a longer wait than the "
         "configured `check.retry_after_cap`."),
    Rule("L406", Severity.WARNING, "timeout",
         "No complete answer within the connect/read timeouts or the request deadline, "
         "after the configured retries."),
    Rule("L407", Severity.WARNING, "link error",
         "Another failure: a redirect loop or too many redirects, a server error (5xx) that "
         "persisted through retries, an unexpected 4xx, or a broken connection."),
    Rule("L409", Severity.ERROR, "confirmed dead",
         "The link failed on at least `check.dead_after_runs` runs at least "
         "`check.dead_after_days` days apart, with no success in between; the record is "
         "marked `urlstatus = {dead}`."),
    Rule("L410", Severity.INFO, "suspect link",
         "The link is failing but has not yet failed often enough, over long enough, to be "
         "confirmed dead. The finding says how many spaced failures are on record."),
    Rule("L420", Severity.WARNING, "content changed since it was cited",
         "The page is alive but its main text (boilerplate, navigation and ads left out) is "
         "less similar than `check.drift_threshold` to the page as it was when cited: the "
         "archived capture nearest the record's urldate, else the first fingerprint bibvault "
         "recorded. The reading list then links to the archived copy as the version cited."),
)
